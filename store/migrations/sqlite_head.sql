-- The schema the migrations build, at SCHEMA_HEAD. Written by `python -m store.snapshot_write`.
CREATE TABLE alembic_version (
	version_num VARCHAR(32) NOT NULL, 
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);
INSERT INTO "alembic_version" VALUES('0018v');
CREATE TABLE assignments (
	id INTEGER NOT NULL, 
	occurrence_id INTEGER NOT NULL, 
	unit_id INTEGER NOT NULL, 
	role VARCHAR(16) NOT NULL, 
	active BOOLEAN NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	percent INTEGER, 
	note TEXT, 
	status_at DATETIME, 
	done_at DATETIME, extended_due DATE, review VARCHAR(16), last_report_id INTEGER, run_report_id INTEGER, run_report_at DATETIME, blocked_report_id INTEGER, 
	PRIMARY KEY (id), 
	FOREIGN KEY(occurrence_id) REFERENCES occurrences (id), 
	FOREIGN KEY(unit_id) REFERENCES units (id), 
	UNIQUE (occurrence_id, unit_id)
);
CREATE TABLE backup_marks (
	id INTEGER NOT NULL, 
	taken_at DATETIME NOT NULL, 
	target TEXT, 
	code_version VARCHAR(40), 
	PRIMARY KEY (id)
);
CREATE TABLE channel_polls (
	channel VARCHAR(16) NOT NULL, 
	worker VARCHAR(200) NOT NULL, 
	last_ok_at DATETIME, 
	failing_since DATETIME, 
	last_error TEXT, 
	updated_at DATETIME NOT NULL, 
	PRIMARY KEY (channel, worker)
);
CREATE TABLE chat_identities (
	id INTEGER NOT NULL, 
	person_id INTEGER NOT NULL, 
	channel VARCHAR(16) NOT NULL, 
	chat_id VARCHAR(64) NOT NULL, 
	display_name VARCHAR(200) NOT NULL, 
	linked_at DATETIME NOT NULL, 
	unreachable_at DATETIME, 
	unreachable_reason TEXT, 
	pending_kind VARCHAR(16), 
	pending_assignment_id INTEGER, 
	pending_text TEXT, sender_id VARCHAR(64), 
	PRIMARY KEY (id), 
	FOREIGN KEY(person_id) REFERENCES people (id), 
	UNIQUE (channel, chat_id)
);
CREATE TABLE delivery_attempts (
	id INTEGER NOT NULL, 
	reminder_id INTEGER, 
	identity_id INTEGER, 
	person_id INTEGER, 
	channel VARCHAR(16) NOT NULL, 
	chat_id VARCHAR(64) NOT NULL, 
	worker VARCHAR(64) NOT NULL, 
	started_at DATETIME NOT NULL, 
	duration_ms INTEGER NOT NULL, 
	outcome VARCHAR(16) NOT NULL, 
	error TEXT, 
	provider_message_id VARCHAR(64), 
	PRIMARY KEY (id), 
	FOREIGN KEY(identity_id) REFERENCES chat_identities (id), 
	FOREIGN KEY(person_id) REFERENCES people (id), 
	FOREIGN KEY(reminder_id) REFERENCES reminders (id)
);
CREATE TABLE desk_keys (
	id INTEGER NOT NULL, 
	name VARCHAR(32) NOT NULL, 
	value VARCHAR(128) NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (name)
);
CREATE TABLE desk_sessions (
	id INTEGER NOT NULL, 
	session_hash VARCHAR(64) NOT NULL, 
	person_id INTEGER NOT NULL, 
	csrf VARCHAR(64) NOT NULL, 
	created_at DATETIME NOT NULL, 
	seen_at DATETIME NOT NULL, 
	ended_at DATETIME, 
	PRIMARY KEY (id), 
	UNIQUE (session_hash), 
	FOREIGN KEY(person_id) REFERENCES people (id)
);
CREATE TABLE desk_tokens (
	id INTEGER NOT NULL, 
	token_hash VARCHAR(64) NOT NULL, 
	person_id INTEGER NOT NULL, 
	ward_id INTEGER NOT NULL, 
	target VARCHAR(200), 
	created_at DATETIME NOT NULL, 
	expires_at DATETIME NOT NULL, 
	used_at DATETIME, 
	PRIMARY KEY (id), 
	UNIQUE (token_hash), 
	FOREIGN KEY(person_id) REFERENCES people (id), 
	FOREIGN KEY(ward_id) REFERENCES wards (id)
);
CREATE TABLE evidence (
	id INTEGER NOT NULL, 
	ward_id INTEGER NOT NULL, 
	assignment_id INTEGER NOT NULL, 
	status_report_id INTEGER, 
	inbound_id INTEGER, 
	person_id INTEGER, 
	kind VARCHAR(16) NOT NULL, 
	text TEXT NOT NULL, 
	doc_number VARCHAR(100), 
	doc_date DATE, 
	url TEXT, 
	channel VARCHAR(16), 
	file_id TEXT, 
	filename VARCHAR(255), 
	mime VARCHAR(100), 
	size INTEGER, 
	sha256 VARCHAR(64), 
	path TEXT, 
	fetch_state VARCHAR(16), 
	fetch_error TEXT, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(ward_id) REFERENCES wards (id), 
	FOREIGN KEY(assignment_id) REFERENCES assignments (id), 
	FOREIGN KEY(status_report_id) REFERENCES status_reports (id), 
	FOREIGN KEY(inbound_id) REFERENCES inbound_messages (id), 
	FOREIGN KEY(person_id) REFERENCES people (id)
);
CREATE TABLE extension_requests (
	id INTEGER NOT NULL, 
	ward_id INTEGER NOT NULL, 
	assignment_id INTEGER NOT NULL, 
	person_id INTEGER, 
	inbound_id INTEGER, 
	previous_due DATE NOT NULL, 
	new_due DATE NOT NULL, 
	reason TEXT NOT NULL, 
	state VARCHAR(16) NOT NULL, 
	requested_at DATETIME NOT NULL, 
	decided_by INTEGER, 
	decided_at DATETIME, 
	decision_note TEXT, 
	PRIMARY KEY (id), 
	FOREIGN KEY(assignment_id) REFERENCES assignments (id), 
	FOREIGN KEY(decided_by) REFERENCES people (id), 
	FOREIGN KEY(inbound_id) REFERENCES inbound_messages (id), 
	FOREIGN KEY(person_id) REFERENCES people (id), 
	FOREIGN KEY(ward_id) REFERENCES wards (id)
);
CREATE TABLE inbound_messages (
	id INTEGER NOT NULL, 
	channel VARCHAR(16) NOT NULL, 
	chat_id VARCHAR(64) NOT NULL, 
	message_id VARCHAR(64) NOT NULL, 
	sender_id VARCHAR(64), 
	sender_name VARCHAR(200), 
	text TEXT NOT NULL, 
	reply_to_message_id VARCHAR(64), 
	raw TEXT, 
	sent_at DATETIME, 
	received_at DATETIME NOT NULL, 
	identity_id INTEGER, 
	processed_at DATETIME, 
	outcome VARCHAR(32), 
	PRIMARY KEY (id), 
	FOREIGN KEY(identity_id) REFERENCES chat_identities (id), 
	UNIQUE (channel, chat_id, message_id)
);
CREATE TABLE link_codes (
	id INTEGER NOT NULL, 
	ward_id INTEGER NOT NULL, 
	code VARCHAR(16) NOT NULL, 
	person_id INTEGER NOT NULL, 
	created_at DATETIME NOT NULL, 
	expires_at DATETIME NOT NULL, 
	used_at DATETIME, 
	used_by_identity_id INTEGER, 
	PRIMARY KEY (id), 
	FOREIGN KEY(person_id) REFERENCES people (id), 
	FOREIGN KEY(used_by_identity_id) REFERENCES chat_identities (id), 
	FOREIGN KEY(ward_id) REFERENCES wards (id), 
	UNIQUE (code)
);
CREATE TABLE link_failures (
	id INTEGER NOT NULL, 
	channel VARCHAR(16) NOT NULL, 
	chat_id VARCHAR(64) NOT NULL, 
	at DATETIME NOT NULL, code VARCHAR(16), 
	PRIMARY KEY (id)
);
CREATE TABLE occurrences (
	id INTEGER NOT NULL, 
	task_id INTEGER NOT NULL, 
	"key" VARCHAR(32) NOT NULL, 
	start DATE, 
	due DATE NOT NULL, 
	checkin BOOLEAN NOT NULL, 
	active BOOLEAN NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(task_id) REFERENCES tasks (id), 
	UNIQUE (task_id, "key")
);
CREATE TABLE people (
	id INTEGER NOT NULL, 
	ward_id INTEGER NOT NULL, 
	name VARCHAR(200) NOT NULL, 
	unit_id INTEGER, 
	role VARCHAR(16) NOT NULL, 
	preferred_channel VARCHAR(16), 
	created_at DATETIME NOT NULL, away_until DATE, unlinked_at DATETIME, 
	PRIMARY KEY (id), 
	FOREIGN KEY(unit_id) REFERENCES units (id), 
	FOREIGN KEY(ward_id) REFERENCES wards (id)
);
CREATE TABLE reminders (
	id INTEGER NOT NULL, 
	ward_id INTEGER NOT NULL, 
	"key" VARCHAR(120) NOT NULL, 
	assignment_id INTEGER, 
	person_id INTEGER, 
	kind VARCHAR(16) NOT NULL, 
	seq INTEGER NOT NULL, 
	body TEXT, 
	due_at DATETIME NOT NULL, 
	state VARCHAR(16) NOT NULL, 
	attempts INTEGER NOT NULL, 
	next_attempt_at DATETIME NOT NULL, 
	locked_by VARCHAR(64), 
	locked_until DATETIME, 
	last_error TEXT, 
	created_at DATETIME NOT NULL, 
	finished_at DATETIME, channel VARCHAR(16), chat_id VARCHAR(64), buttons TEXT, attachment TEXT, 
	PRIMARY KEY (id), 
	FOREIGN KEY(assignment_id) REFERENCES assignments (id), 
	FOREIGN KEY(person_id) REFERENCES people (id), 
	FOREIGN KEY(ward_id) REFERENCES wards (id), 
	UNIQUE (ward_id, "key")
);
CREATE TABLE send_pace (
	"key" VARCHAR(128) NOT NULL, 
	next_slot DATETIME NOT NULL, 
	PRIMARY KEY ("key")
);
CREATE TABLE status_reports (
	id INTEGER NOT NULL, 
	assignment_id INTEGER NOT NULL, 
	person_id INTEGER, 
	inbound_id INTEGER, 
	status VARCHAR(16) NOT NULL, 
	percent INTEGER, 
	note TEXT, 
	created_at DATETIME NOT NULL, review VARCHAR(16), retracted_at DATETIME, retracted_by INTEGER, 
	PRIMARY KEY (id), 
	FOREIGN KEY(assignment_id) REFERENCES assignments (id), 
	FOREIGN KEY(inbound_id) REFERENCES inbound_messages (id), 
	FOREIGN KEY(person_id) REFERENCES people (id)
);
CREATE TABLE target_figures (
	id INTEGER NOT NULL, 
	ward_id INTEGER NOT NULL, 
	unit_id INTEGER NOT NULL, 
	period VARCHAR(64) NOT NULL, 
	field VARCHAR(64) NOT NULL, 
	value FLOAT NOT NULL, 
	person_id INTEGER, 
	inbound_id INTEGER, 
	on_behalf BOOLEAN NOT NULL, 
	reported_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(inbound_id) REFERENCES inbound_messages (id), 
	FOREIGN KEY(person_id) REFERENCES people (id), 
	FOREIGN KEY(unit_id) REFERENCES units (id), 
	FOREIGN KEY(ward_id) REFERENCES wards (id), 
	UNIQUE (ward_id, unit_id, period, field)
);
CREATE TABLE tasks (
	id INTEGER NOT NULL, 
	ward_id INTEGER NOT NULL, 
	stt INTEGER NOT NULL, 
	content TEXT NOT NULL, 
	product TEXT NOT NULL, 
	deadline_text TEXT NOT NULL, 
	deadline_kind VARCHAR(16) NOT NULL, 
	active BOOLEAN NOT NULL, 
	activated_due DATE, label VARCHAR(32), section VARCHAR(32), uid VARCHAR(32), 
	PRIMARY KEY (id), 
	FOREIGN KEY(ward_id) REFERENCES wards (id), 
	UNIQUE (ward_id, stt)
);
CREATE TABLE units (
	id INTEGER NOT NULL, 
	ward_id INTEGER NOT NULL, 
	code VARCHAR(32) NOT NULL, 
	name VARCHAR(200) NOT NULL, 
	active BOOLEAN NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(ward_id) REFERENCES wards (id), 
	UNIQUE (ward_id, code)
);
CREATE TABLE wards (
	id INTEGER NOT NULL, 
	"key" VARCHAR(64) NOT NULL, 
	name VARCHAR(200) NOT NULL, 
	plan_code VARCHAR(100) NOT NULL, 
	coordinating_unit VARCHAR(32) NOT NULL, plan_issued DATE, plan_fingerprint VARCHAR(64), plan_confirmed VARCHAR(64), planning_owner VARCHAR(200), planning_until DATETIME, plan_sha VARCHAR(64), planned_window VARCHAR(32), 
	PRIMARY KEY (id), 
	UNIQUE ("key")
);
CREATE INDEX ix_link_failures_chat ON link_failures (channel, chat_id, at);
CREATE INDEX ix_reminders_due ON reminders (state, next_attempt_at);
CREATE INDEX ix_attempts_message ON delivery_attempts (channel, chat_id, provider_message_id);
CREATE INDEX ix_status_reports_assignment ON status_reports (assignment_id, created_at);
CREATE INDEX ix_attempts_reminder ON delivery_attempts (reminder_id, outcome);
CREATE INDEX ix_link_failures_at ON link_failures (at);
CREATE INDEX ix_reminders_finished ON reminders (ward_id, state, finished_at);
CREATE INDEX ix_extension_requests_assignment ON extension_requests (assignment_id, state);
CREATE INDEX ix_evidence_assignment ON evidence (assignment_id, created_at);
CREATE INDEX ix_evidence_ward_created ON evidence (ward_id, created_at);
CREATE INDEX ix_assignments_extended ON assignments (unit_id) WHERE extended_due IS NOT NULL;
CREATE INDEX ix_status_reports_person ON status_reports (person_id, created_at);
CREATE UNIQUE INDEX uq_tasks_ward_uid ON tasks (ward_id, uid);
