-- The schema the migrations build, at SCHEMA_HEAD. Written by `python -m store.snapshot_write`.
CREATE TABLE alembic_version (
    version_num character varying(32) NOT NULL
);

CREATE TABLE assignments (
    id integer NOT NULL,
    occurrence_id integer NOT NULL,
    unit_id integer NOT NULL,
    role character varying(16) NOT NULL,
    active boolean NOT NULL,
    status character varying(16) NOT NULL,
    percent integer,
    note text,
    status_at timestamp without time zone,
    done_at timestamp without time zone,
    extended_due date,
    review character varying(16),
    last_report_id integer,
    run_report_id integer,
    run_report_at timestamp without time zone,
    blocked_report_id integer
);

CREATE SEQUENCE assignments_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE assignments_id_seq OWNED BY assignments.id;

CREATE TABLE backup_marks (
    id integer NOT NULL,
    taken_at timestamp without time zone NOT NULL,
    target text,
    code_version character varying(40)
);

CREATE SEQUENCE backup_marks_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE backup_marks_id_seq OWNED BY backup_marks.id;

CREATE TABLE channel_polls (
    channel character varying(16) NOT NULL,
    worker character varying(200) NOT NULL,
    last_ok_at timestamp without time zone,
    failing_since timestamp without time zone,
    last_error text,
    updated_at timestamp without time zone NOT NULL
);

CREATE TABLE chat_identities (
    id integer NOT NULL,
    person_id integer NOT NULL,
    channel character varying(16) NOT NULL,
    chat_id character varying(64) NOT NULL,
    display_name character varying(200) NOT NULL,
    linked_at timestamp without time zone NOT NULL,
    unreachable_at timestamp without time zone,
    unreachable_reason text,
    pending_kind character varying(16),
    pending_assignment_id integer,
    pending_text text,
    sender_id character varying(64)
);

CREATE SEQUENCE chat_identities_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE chat_identities_id_seq OWNED BY chat_identities.id;

CREATE TABLE delivery_attempts (
    id integer NOT NULL,
    reminder_id integer,
    identity_id integer,
    person_id integer,
    channel character varying(16) NOT NULL,
    chat_id character varying(64) NOT NULL,
    worker character varying(64) NOT NULL,
    started_at timestamp without time zone NOT NULL,
    duration_ms integer NOT NULL,
    outcome character varying(16) NOT NULL,
    error text,
    provider_message_id character varying(64)
);

CREATE SEQUENCE delivery_attempts_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE delivery_attempts_id_seq OWNED BY delivery_attempts.id;

CREATE TABLE desk_keys (
    id integer NOT NULL,
    name character varying(32) NOT NULL,
    value character varying(128) NOT NULL
);

CREATE SEQUENCE desk_keys_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE desk_keys_id_seq OWNED BY desk_keys.id;

CREATE TABLE desk_sessions (
    id integer NOT NULL,
    session_hash character varying(64) NOT NULL,
    person_id integer NOT NULL,
    csrf character varying(64) NOT NULL,
    created_at timestamp without time zone NOT NULL,
    seen_at timestamp without time zone NOT NULL,
    ended_at timestamp without time zone
);

CREATE SEQUENCE desk_sessions_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE desk_sessions_id_seq OWNED BY desk_sessions.id;

CREATE TABLE desk_tokens (
    id integer NOT NULL,
    token_hash character varying(64) NOT NULL,
    person_id integer NOT NULL,
    ward_id integer NOT NULL,
    target character varying(200),
    created_at timestamp without time zone NOT NULL,
    expires_at timestamp without time zone NOT NULL,
    used_at timestamp without time zone
);

CREATE SEQUENCE desk_tokens_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE desk_tokens_id_seq OWNED BY desk_tokens.id;

CREATE TABLE evidence (
    id integer NOT NULL,
    ward_id integer NOT NULL,
    assignment_id integer NOT NULL,
    status_report_id integer,
    inbound_id integer,
    person_id integer,
    kind character varying(16) NOT NULL,
    text text NOT NULL,
    doc_number character varying(100),
    doc_date date,
    url text,
    channel character varying(16),
    file_id text,
    filename character varying(255),
    mime character varying(100),
    size integer,
    sha256 character varying(64),
    path text,
    fetch_state character varying(16),
    fetch_error text,
    created_at timestamp without time zone NOT NULL
);

CREATE SEQUENCE evidence_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE evidence_id_seq OWNED BY evidence.id;

CREATE TABLE extension_requests (
    id integer NOT NULL,
    ward_id integer NOT NULL,
    assignment_id integer NOT NULL,
    person_id integer,
    inbound_id integer,
    previous_due date NOT NULL,
    new_due date NOT NULL,
    reason text NOT NULL,
    state character varying(16) NOT NULL,
    requested_at timestamp without time zone NOT NULL,
    decided_by integer,
    decided_at timestamp without time zone,
    decision_note text
);

CREATE SEQUENCE extension_requests_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE extension_requests_id_seq OWNED BY extension_requests.id;

CREATE TABLE inbound_messages (
    id integer NOT NULL,
    channel character varying(16) NOT NULL,
    chat_id character varying(64) NOT NULL,
    message_id character varying(64) NOT NULL,
    sender_id character varying(64),
    sender_name character varying(200),
    text text NOT NULL,
    reply_to_message_id character varying(64),
    raw text,
    sent_at timestamp without time zone,
    received_at timestamp without time zone NOT NULL,
    identity_id integer,
    processed_at timestamp without time zone,
    outcome character varying(32)
);

CREATE SEQUENCE inbound_messages_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE inbound_messages_id_seq OWNED BY inbound_messages.id;

CREATE TABLE link_codes (
    id integer NOT NULL,
    ward_id integer NOT NULL,
    code character varying(16) NOT NULL,
    person_id integer NOT NULL,
    created_at timestamp without time zone NOT NULL,
    expires_at timestamp without time zone NOT NULL,
    used_at timestamp without time zone,
    used_by_identity_id integer
);

CREATE SEQUENCE link_codes_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE link_codes_id_seq OWNED BY link_codes.id;

CREATE TABLE link_failures (
    id integer NOT NULL,
    channel character varying(16) NOT NULL,
    chat_id character varying(64) NOT NULL,
    at timestamp without time zone NOT NULL,
    code character varying(16)
);

CREATE SEQUENCE link_failures_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE link_failures_id_seq OWNED BY link_failures.id;

CREATE TABLE occurrences (
    id integer NOT NULL,
    task_id integer NOT NULL,
    key character varying(32) NOT NULL,
    start date,
    due date NOT NULL,
    checkin boolean NOT NULL,
    active boolean NOT NULL
);

CREATE SEQUENCE occurrences_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE occurrences_id_seq OWNED BY occurrences.id;

CREATE TABLE people (
    id integer NOT NULL,
    ward_id integer NOT NULL,
    name character varying(200) NOT NULL,
    unit_id integer,
    role character varying(16) NOT NULL,
    preferred_channel character varying(16),
    created_at timestamp without time zone NOT NULL,
    away_until date,
    unlinked_at timestamp without time zone
);

CREATE SEQUENCE people_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE people_id_seq OWNED BY people.id;

CREATE TABLE reminders (
    id integer NOT NULL,
    ward_id integer NOT NULL,
    key character varying(120) NOT NULL,
    assignment_id integer,
    person_id integer,
    kind character varying(16) NOT NULL,
    seq integer NOT NULL,
    body text,
    due_at timestamp without time zone NOT NULL,
    state character varying(16) NOT NULL,
    attempts integer NOT NULL,
    next_attempt_at timestamp without time zone NOT NULL,
    locked_by character varying(64),
    locked_until timestamp without time zone,
    last_error text,
    created_at timestamp without time zone NOT NULL,
    finished_at timestamp without time zone,
    channel character varying(16),
    chat_id character varying(64),
    buttons text,
    attachment text
);

CREATE SEQUENCE reminders_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE reminders_id_seq OWNED BY reminders.id;

CREATE TABLE send_pace (
    key character varying(128) NOT NULL,
    next_slot timestamp with time zone NOT NULL
);

CREATE TABLE status_reports (
    id integer NOT NULL,
    assignment_id integer NOT NULL,
    person_id integer,
    inbound_id integer,
    status character varying(16) NOT NULL,
    percent integer,
    note text,
    created_at timestamp without time zone NOT NULL,
    review character varying(16),
    retracted_at timestamp without time zone,
    retracted_by integer
);

CREATE SEQUENCE status_reports_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE status_reports_id_seq OWNED BY status_reports.id;

CREATE TABLE target_figures (
    id integer NOT NULL,
    ward_id integer NOT NULL,
    unit_id integer NOT NULL,
    period character varying(64) NOT NULL,
    field character varying(64) NOT NULL,
    value double precision NOT NULL,
    person_id integer,
    inbound_id integer,
    on_behalf boolean NOT NULL,
    reported_at timestamp without time zone NOT NULL
);

CREATE SEQUENCE target_figures_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE target_figures_id_seq OWNED BY target_figures.id;

CREATE TABLE tasks (
    id integer NOT NULL,
    ward_id integer NOT NULL,
    stt integer NOT NULL,
    content text NOT NULL,
    product text NOT NULL,
    deadline_text text NOT NULL,
    deadline_kind character varying(16) NOT NULL,
    active boolean NOT NULL,
    activated_due date,
    label character varying(32),
    section character varying(32),
    uid character varying(32)
);

CREATE SEQUENCE tasks_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE tasks_id_seq OWNED BY tasks.id;

CREATE TABLE units (
    id integer NOT NULL,
    ward_id integer NOT NULL,
    code character varying(32) NOT NULL,
    name character varying(200) NOT NULL,
    active boolean NOT NULL
);

CREATE SEQUENCE units_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE units_id_seq OWNED BY units.id;

CREATE TABLE wards (
    id integer NOT NULL,
    key character varying(64) NOT NULL,
    name character varying(200) NOT NULL,
    plan_code character varying(100) NOT NULL,
    coordinating_unit character varying(32) NOT NULL,
    plan_issued date,
    plan_fingerprint character varying(64),
    plan_confirmed character varying(64),
    planning_owner character varying(200),
    planning_until timestamp without time zone,
    plan_sha character varying(64),
    planned_window character varying(32)
);

CREATE SEQUENCE wards_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE wards_id_seq OWNED BY wards.id;

ALTER TABLE ONLY assignments ALTER COLUMN id SET DEFAULT nextval('assignments_id_seq'::regclass);

ALTER TABLE ONLY backup_marks ALTER COLUMN id SET DEFAULT nextval('backup_marks_id_seq'::regclass);

ALTER TABLE ONLY chat_identities ALTER COLUMN id SET DEFAULT nextval('chat_identities_id_seq'::regclass);

ALTER TABLE ONLY delivery_attempts ALTER COLUMN id SET DEFAULT nextval('delivery_attempts_id_seq'::regclass);

ALTER TABLE ONLY desk_keys ALTER COLUMN id SET DEFAULT nextval('desk_keys_id_seq'::regclass);

ALTER TABLE ONLY desk_sessions ALTER COLUMN id SET DEFAULT nextval('desk_sessions_id_seq'::regclass);

ALTER TABLE ONLY desk_tokens ALTER COLUMN id SET DEFAULT nextval('desk_tokens_id_seq'::regclass);

ALTER TABLE ONLY evidence ALTER COLUMN id SET DEFAULT nextval('evidence_id_seq'::regclass);

ALTER TABLE ONLY extension_requests ALTER COLUMN id SET DEFAULT nextval('extension_requests_id_seq'::regclass);

ALTER TABLE ONLY inbound_messages ALTER COLUMN id SET DEFAULT nextval('inbound_messages_id_seq'::regclass);

ALTER TABLE ONLY link_codes ALTER COLUMN id SET DEFAULT nextval('link_codes_id_seq'::regclass);

ALTER TABLE ONLY link_failures ALTER COLUMN id SET DEFAULT nextval('link_failures_id_seq'::regclass);

ALTER TABLE ONLY occurrences ALTER COLUMN id SET DEFAULT nextval('occurrences_id_seq'::regclass);

ALTER TABLE ONLY people ALTER COLUMN id SET DEFAULT nextval('people_id_seq'::regclass);

ALTER TABLE ONLY reminders ALTER COLUMN id SET DEFAULT nextval('reminders_id_seq'::regclass);

ALTER TABLE ONLY status_reports ALTER COLUMN id SET DEFAULT nextval('status_reports_id_seq'::regclass);

ALTER TABLE ONLY target_figures ALTER COLUMN id SET DEFAULT nextval('target_figures_id_seq'::regclass);

ALTER TABLE ONLY tasks ALTER COLUMN id SET DEFAULT nextval('tasks_id_seq'::regclass);

ALTER TABLE ONLY units ALTER COLUMN id SET DEFAULT nextval('units_id_seq'::regclass);

ALTER TABLE ONLY wards ALTER COLUMN id SET DEFAULT nextval('wards_id_seq'::regclass);

ALTER TABLE ONLY alembic_version
    ADD CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num);

ALTER TABLE ONLY assignments
    ADD CONSTRAINT assignments_occurrence_id_unit_id_key UNIQUE (occurrence_id, unit_id);

ALTER TABLE ONLY assignments
    ADD CONSTRAINT assignments_pkey PRIMARY KEY (id);

ALTER TABLE ONLY backup_marks
    ADD CONSTRAINT backup_marks_pkey PRIMARY KEY (id);

ALTER TABLE ONLY channel_polls
    ADD CONSTRAINT channel_polls_pkey PRIMARY KEY (channel, worker);

ALTER TABLE ONLY chat_identities
    ADD CONSTRAINT chat_identities_channel_chat_id_key UNIQUE (channel, chat_id);

ALTER TABLE ONLY chat_identities
    ADD CONSTRAINT chat_identities_pkey PRIMARY KEY (id);

ALTER TABLE ONLY delivery_attempts
    ADD CONSTRAINT delivery_attempts_pkey PRIMARY KEY (id);

ALTER TABLE ONLY desk_keys
    ADD CONSTRAINT desk_keys_name_key UNIQUE (name);

ALTER TABLE ONLY desk_keys
    ADD CONSTRAINT desk_keys_pkey PRIMARY KEY (id);

ALTER TABLE ONLY desk_sessions
    ADD CONSTRAINT desk_sessions_pkey PRIMARY KEY (id);

ALTER TABLE ONLY desk_sessions
    ADD CONSTRAINT desk_sessions_session_hash_key UNIQUE (session_hash);

ALTER TABLE ONLY desk_tokens
    ADD CONSTRAINT desk_tokens_pkey PRIMARY KEY (id);

ALTER TABLE ONLY desk_tokens
    ADD CONSTRAINT desk_tokens_token_hash_key UNIQUE (token_hash);

ALTER TABLE ONLY evidence
    ADD CONSTRAINT evidence_pkey PRIMARY KEY (id);

ALTER TABLE ONLY extension_requests
    ADD CONSTRAINT extension_requests_pkey PRIMARY KEY (id);

ALTER TABLE ONLY inbound_messages
    ADD CONSTRAINT inbound_messages_channel_chat_id_message_id_key UNIQUE (channel, chat_id, message_id);

ALTER TABLE ONLY inbound_messages
    ADD CONSTRAINT inbound_messages_pkey PRIMARY KEY (id);

ALTER TABLE ONLY link_codes
    ADD CONSTRAINT link_codes_code_key UNIQUE (code);

ALTER TABLE ONLY link_codes
    ADD CONSTRAINT link_codes_pkey PRIMARY KEY (id);

ALTER TABLE ONLY link_failures
    ADD CONSTRAINT link_failures_pkey PRIMARY KEY (id);

ALTER TABLE ONLY occurrences
    ADD CONSTRAINT occurrences_pkey PRIMARY KEY (id);

ALTER TABLE ONLY occurrences
    ADD CONSTRAINT occurrences_task_id_key_key UNIQUE (task_id, key);

ALTER TABLE ONLY people
    ADD CONSTRAINT people_pkey PRIMARY KEY (id);

ALTER TABLE ONLY reminders
    ADD CONSTRAINT reminders_pkey PRIMARY KEY (id);

ALTER TABLE ONLY reminders
    ADD CONSTRAINT reminders_ward_id_key_key UNIQUE (ward_id, key);

ALTER TABLE ONLY send_pace
    ADD CONSTRAINT send_pace_pkey PRIMARY KEY (key);

ALTER TABLE ONLY status_reports
    ADD CONSTRAINT status_reports_pkey PRIMARY KEY (id);

ALTER TABLE ONLY target_figures
    ADD CONSTRAINT target_figures_pkey PRIMARY KEY (id);

ALTER TABLE ONLY target_figures
    ADD CONSTRAINT target_figures_ward_id_unit_id_period_field_key UNIQUE (ward_id, unit_id, period, field);

ALTER TABLE ONLY tasks
    ADD CONSTRAINT tasks_pkey PRIMARY KEY (id);

ALTER TABLE ONLY tasks
    ADD CONSTRAINT tasks_ward_id_stt_key UNIQUE (ward_id, stt);

ALTER TABLE ONLY units
    ADD CONSTRAINT units_pkey PRIMARY KEY (id);

ALTER TABLE ONLY units
    ADD CONSTRAINT units_ward_id_code_key UNIQUE (ward_id, code);

ALTER TABLE ONLY wards
    ADD CONSTRAINT wards_key_key UNIQUE (key);

ALTER TABLE ONLY wards
    ADD CONSTRAINT wards_pkey PRIMARY KEY (id);

CREATE INDEX ix_assignments_extended ON assignments USING btree (unit_id) WHERE (extended_due IS NOT NULL);

CREATE INDEX ix_attempts_message ON delivery_attempts USING btree (channel, chat_id, provider_message_id);

CREATE INDEX ix_attempts_reminder ON delivery_attempts USING btree (reminder_id, outcome);

CREATE INDEX ix_evidence_assignment ON evidence USING btree (assignment_id, created_at);

CREATE INDEX ix_evidence_ward_created ON evidence USING btree (ward_id, created_at);

CREATE INDEX ix_extension_requests_assignment ON extension_requests USING btree (assignment_id, state);

CREATE INDEX ix_link_failures_at ON link_failures USING btree (at);

CREATE INDEX ix_link_failures_chat ON link_failures USING btree (channel, chat_id, at);

CREATE INDEX ix_reminders_due ON reminders USING btree (state, next_attempt_at);

CREATE INDEX ix_reminders_finished ON reminders USING btree (ward_id, state, finished_at);

CREATE INDEX ix_status_reports_assignment ON status_reports USING btree (assignment_id, created_at);

CREATE INDEX ix_status_reports_person ON status_reports USING btree (person_id, created_at);

CREATE UNIQUE INDEX uq_tasks_ward_uid ON tasks USING btree (ward_id, uid);

ALTER TABLE ONLY assignments
    ADD CONSTRAINT assignments_occurrence_id_fkey FOREIGN KEY (occurrence_id) REFERENCES occurrences(id);

ALTER TABLE ONLY assignments
    ADD CONSTRAINT assignments_unit_id_fkey FOREIGN KEY (unit_id) REFERENCES units(id);

ALTER TABLE ONLY chat_identities
    ADD CONSTRAINT chat_identities_person_id_fkey FOREIGN KEY (person_id) REFERENCES people(id);

ALTER TABLE ONLY delivery_attempts
    ADD CONSTRAINT delivery_attempts_identity_id_fkey FOREIGN KEY (identity_id) REFERENCES chat_identities(id);

ALTER TABLE ONLY delivery_attempts
    ADD CONSTRAINT delivery_attempts_person_id_fkey FOREIGN KEY (person_id) REFERENCES people(id);

ALTER TABLE ONLY delivery_attempts
    ADD CONSTRAINT delivery_attempts_reminder_id_fkey FOREIGN KEY (reminder_id) REFERENCES reminders(id);

ALTER TABLE ONLY desk_sessions
    ADD CONSTRAINT desk_sessions_person_id_fkey FOREIGN KEY (person_id) REFERENCES people(id);

ALTER TABLE ONLY desk_tokens
    ADD CONSTRAINT desk_tokens_person_id_fkey FOREIGN KEY (person_id) REFERENCES people(id);

ALTER TABLE ONLY desk_tokens
    ADD CONSTRAINT desk_tokens_ward_id_fkey FOREIGN KEY (ward_id) REFERENCES wards(id);

ALTER TABLE ONLY evidence
    ADD CONSTRAINT evidence_assignment_id_fkey FOREIGN KEY (assignment_id) REFERENCES assignments(id);

ALTER TABLE ONLY evidence
    ADD CONSTRAINT evidence_inbound_id_fkey FOREIGN KEY (inbound_id) REFERENCES inbound_messages(id);

ALTER TABLE ONLY evidence
    ADD CONSTRAINT evidence_person_id_fkey FOREIGN KEY (person_id) REFERENCES people(id);

ALTER TABLE ONLY evidence
    ADD CONSTRAINT evidence_status_report_id_fkey FOREIGN KEY (status_report_id) REFERENCES status_reports(id);

ALTER TABLE ONLY evidence
    ADD CONSTRAINT evidence_ward_id_fkey FOREIGN KEY (ward_id) REFERENCES wards(id);

ALTER TABLE ONLY extension_requests
    ADD CONSTRAINT extension_requests_assignment_id_fkey FOREIGN KEY (assignment_id) REFERENCES assignments(id);

ALTER TABLE ONLY extension_requests
    ADD CONSTRAINT extension_requests_decided_by_fkey FOREIGN KEY (decided_by) REFERENCES people(id);

ALTER TABLE ONLY extension_requests
    ADD CONSTRAINT extension_requests_inbound_id_fkey FOREIGN KEY (inbound_id) REFERENCES inbound_messages(id);

ALTER TABLE ONLY extension_requests
    ADD CONSTRAINT extension_requests_person_id_fkey FOREIGN KEY (person_id) REFERENCES people(id);

ALTER TABLE ONLY extension_requests
    ADD CONSTRAINT extension_requests_ward_id_fkey FOREIGN KEY (ward_id) REFERENCES wards(id);

ALTER TABLE ONLY inbound_messages
    ADD CONSTRAINT inbound_messages_identity_id_fkey FOREIGN KEY (identity_id) REFERENCES chat_identities(id);

ALTER TABLE ONLY link_codes
    ADD CONSTRAINT link_codes_person_id_fkey FOREIGN KEY (person_id) REFERENCES people(id);

ALTER TABLE ONLY link_codes
    ADD CONSTRAINT link_codes_used_by_identity_id_fkey FOREIGN KEY (used_by_identity_id) REFERENCES chat_identities(id);

ALTER TABLE ONLY link_codes
    ADD CONSTRAINT link_codes_ward_id_fkey FOREIGN KEY (ward_id) REFERENCES wards(id);

ALTER TABLE ONLY occurrences
    ADD CONSTRAINT occurrences_task_id_fkey FOREIGN KEY (task_id) REFERENCES tasks(id);

ALTER TABLE ONLY people
    ADD CONSTRAINT people_unit_id_fkey FOREIGN KEY (unit_id) REFERENCES units(id);

ALTER TABLE ONLY people
    ADD CONSTRAINT people_ward_id_fkey FOREIGN KEY (ward_id) REFERENCES wards(id);

ALTER TABLE ONLY reminders
    ADD CONSTRAINT reminders_assignment_id_fkey FOREIGN KEY (assignment_id) REFERENCES assignments(id);

ALTER TABLE ONLY reminders
    ADD CONSTRAINT reminders_person_id_fkey FOREIGN KEY (person_id) REFERENCES people(id);

ALTER TABLE ONLY reminders
    ADD CONSTRAINT reminders_ward_id_fkey FOREIGN KEY (ward_id) REFERENCES wards(id);

ALTER TABLE ONLY status_reports
    ADD CONSTRAINT status_reports_assignment_id_fkey FOREIGN KEY (assignment_id) REFERENCES assignments(id);

ALTER TABLE ONLY status_reports
    ADD CONSTRAINT status_reports_inbound_id_fkey FOREIGN KEY (inbound_id) REFERENCES inbound_messages(id);

ALTER TABLE ONLY status_reports
    ADD CONSTRAINT status_reports_person_id_fkey FOREIGN KEY (person_id) REFERENCES people(id);

ALTER TABLE ONLY target_figures
    ADD CONSTRAINT target_figures_inbound_id_fkey FOREIGN KEY (inbound_id) REFERENCES inbound_messages(id);

ALTER TABLE ONLY target_figures
    ADD CONSTRAINT target_figures_person_id_fkey FOREIGN KEY (person_id) REFERENCES people(id);

ALTER TABLE ONLY target_figures
    ADD CONSTRAINT target_figures_unit_id_fkey FOREIGN KEY (unit_id) REFERENCES units(id);

ALTER TABLE ONLY target_figures
    ADD CONSTRAINT target_figures_ward_id_fkey FOREIGN KEY (ward_id) REFERENCES wards(id);

ALTER TABLE ONLY tasks
    ADD CONSTRAINT tasks_ward_id_fkey FOREIGN KEY (ward_id) REFERENCES wards(id);

ALTER TABLE ONLY units
    ADD CONSTRAINT units_ward_id_fkey FOREIGN KEY (ward_id) REFERENCES wards(id);

INSERT INTO alembic_version (version_num) VALUES ('0018v');
