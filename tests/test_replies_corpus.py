"""The reader over the whole labelled corpus (tests/data/replies.tsv): no false "done" at all,
and at least ACCURACY of the replies read exactly (status, percent, and each task of a
multi-task line). `python -m bench.replies` prints the table by category."""

from __future__ import annotations

from tests.replies_corpus import CORPUS, HELD_OUT, PROBES, load, score

ACCURACY = 0.97


def test_the_corpus_is_large_and_labelled() -> None:
    cases = load(CORPUS)
    assert len(cases) >= 500
    assert {c.category for c in cases} >= {
        "done",
        "done_said_otherwise",
        "negated",
        "future",
        "counterfactual",
        "partial",
        "fraction_words",
        "blocked",
        "declined",
        "question_ack",
        "formal_report",
        "teen_code",
        "voice_typing",
        "multi_task",
    }


def test_no_reply_of_the_corpus_or_the_probes_is_read_as_a_false_done() -> None:
    for path in (CORPUS, PROBES):
        false_done = [(o.case.line, o.case.text, o.got) for o in map(score, load(path)) if o.false_done]
        assert false_done == [], path.name


def test_no_reply_of_the_held_out_set_is_read_as_a_false_done() -> None:
    # Scored once the reader was tuned on the main corpus (141 of 142 right, no false done);
    # kept as a guard: a change that makes any of them a false done fails here.
    false_done = [(o.case.line, o.case.text, o.got) for o in map(score, load(HELD_OUT)) if o.false_done]
    assert false_done == []


def test_the_corpus_is_read_right_at_the_stated_accuracy() -> None:
    outcomes = [score(case) for case in [*load(CORPUS), *load(PROBES)]]
    wrong = [(o.case.line, o.case.text, o.case.expected, o.got) for o in outcomes if not o.right]
    assert 1 - len(wrong) / len(outcomes) >= ACCURACY, wrong


def test_the_scoring_catches_a_false_done() -> None:
    from tests.replies_corpus import Case

    outcome = score(Case("negated", "in_progress", "đã xong", None, 0))
    assert outcome.false_done and not outcome.right
    multi = score(Case("multi_task", "1=done 2=in_progress", "1 xong 2 xong", None, 0))
    assert multi.false_done and not multi.right
