"""A template's «Срок» text becomes a date within the programme (core/programmes/terms.py); no database."""

from datetime import date

import pytest

from core.programmes.terms import spread_deadlines, term_deadline

START, END = date(2026, 9, 1), date(2027, 5, 31)


@pytest.mark.parametrize(
    ("term", "due"),
    [
        ("в течение первого месяца", date(2026, 10, 1)),
        ("В течение месяца", date(2026, 10, 1)),
        ("в течение первой недели", date(2026, 9, 8)),
        ("в течение 2 недель", date(2026, 9, 15)),
        ("в течение трёх месяцев", date(2026, 12, 1)),
        ("первые 10 дней", None),  # «первые N дней» is not a form the parser knows: end date and a note
        ("в течение 10 дней", date(2026, 9, 11)),
        ("1 четверть", date(2026, 10, 31)),
        ("I четверть", date(2026, 10, 31)),
        ("во 2-й четверти", None),
        ("в 2-й четверти", date(2026, 12, 31)),
        ("3 четверть", date(2027, 3, 31)),
        ("четверть IV", date(2027, 5, 31)),
        ("II полугодие", date(2027, 5, 31)),
        ("в течение полугода", date(2027, 3, 1)),
        ("сентябрь", date(2026, 9, 30)),
        ("сентябрь – октябрь", date(2026, 10, 31)),
        ("до конца декабря", date(2026, 12, 31)),
        ("май", date(2027, 5, 31)),
        ("март 2027", date(2027, 3, 31)),
        ("до 15.10", date(2026, 10, 15)),
        ("15.02.2027", date(2027, 2, 15)),
        ("в течение года", END),
        ("в течение учебного года", END),
        ("постоянно", END),
        ("в течение программы", END),
    ],
)
def test_terms_map_to_dates(term, due):
    deadline = term_deadline(term, starts_on=START, ends_on=END)
    if due is None:
        assert deadline.due == END and "не распознан" in deadline.note and f"«{term}»" in deadline.note
    else:
        assert (deadline.due, deadline.note) == (due, "")


@pytest.mark.parametrize(
    "term", ["по настроению", "31.02", "13 четверть", "когда-нибудь в августе 3000 г", "\x00"]
)
def test_unreadable_terms_get_the_end_date_and_a_note(term):
    deadline = term_deadline(term, starts_on=START, ends_on=END)
    assert deadline.due == END and "уточните" in deadline.note and "31.05.2027" in deadline.note


def test_a_term_after_the_programme_is_clamped_with_a_note():
    deadline = term_deadline("в течение года", starts_on=START, ends_on=date(2026, 12, 1))
    assert deadline.due == date(2026, 12, 1) and deadline.note == ""
    deadline = term_deadline("4 четверть", starts_on=START, ends_on=date(2026, 12, 1))
    assert deadline.due == date(2026, 12, 1) and "позже окончания программы" in deadline.note
    deadline = term_deadline("01.08.2026", starts_on=START, ends_on=END)
    assert deadline.due == START and "раньше начала программы" in deadline.note


def test_blank_terms_are_spread_in_order():
    dues = spread_deadlines(starts_on=START, ends_on=END, count=19)
    assert len(dues) == 19 and dues == sorted(dues) and dues[-1] == END and dues[0] > START
