"""Logins, password reset links, invitations, rate limiting."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from tenants.models import Invitation, Membership, Role, User
from tenants.selectors import user_may_enter_school
from tenants.services import invitation_create

pytestmark = pytest.mark.django_db


def _link(message) -> str:
    match = re.search(r"https?://\S+", message.body)
    assert match is not None
    return match.group(0)


def test_a_demo_style_user_logs_in_on_the_school_host(host_client, world):
    client = host_client(world.school_a)
    response = client.post("/accounts/login/", {"login": "CURATOR@a.test", "password": "Correct-Horse-42"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_a_wrong_password_is_refused_in_russian(host_client, world):
    response = host_client(world.school_a).post(
        "/accounts/login/", {"login": "curator@a.test", "password": "nope"}
    )
    assert response.status_code == 200
    assert "неверны" in response.content.decode()


def test_login_is_rate_limited_after_repeated_failures(host_client, world):
    client = host_client(world.school_a)
    for i in range(5):
        client.post("/accounts/login/", {"login": "curator@a.test", "password": f"wrong-{i}"})
    # Even the right password is refused while the limit holds.
    response = client.post("/accounts/login/", {"login": "curator@a.test", "password": "Correct-Horse-42"})
    assert "Слишком много неудачных попыток" in response.content.decode()
    assert client.get("/").status_code == 302  # still not logged in


def test_signup_is_closed_and_not_advertised(host_client):
    client = host_client()
    assert "/accounts/signup/" not in client.get("/accounts/login/").content.decode()
    response = client.post(
        "/accounts/signup/", {"email": "me@x.test", "password1": "Aa-123456789", "password2": "Aa-123456789"}
    )
    assert "Регистрация закрыта" in response.content.decode()
    assert not User.objects.filter(email="me@x.test").exists()


def test_password_reset_link_carries_the_school_host(host_client, world):
    response = host_client(world.school_a).post("/accounts/password/reset/", {"email": "curator@a.test"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert _link(mail.outbox[0]).startswith("http://school-a.localhost/accounts/password/reset/key/")


def test_a_curator_invitation_links_to_the_school_host_and_grants_the_role(
    host_client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_create(
            email="New.Mentor@a.test", role=Role.MENTOR, school=world.school_a, invited_by=world.curator_a
        )
    assert len(mail.outbox) == 1
    link = _link(mail.outbox[0])
    assert link == f"http://school-a.localhost/invite/{invitation.token}/"

    # The same token on another school's host does not open.
    assert host_client(world.school_b).get(f"/invite/{invitation.token}/").status_code == 404

    client = host_client(world.school_a)
    assert "Принять" in client.get(f"/invite/{invitation.token}/").content.decode()
    response = client.post(
        f"/invite/{invitation.token}/",
        {
            "last_name": "Новикова",
            "first_name": "Мария",
            "middle_name": "",
            "password1": "Strong-Pass-2026",
            "password2": "Strong-Pass-2026",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="new.mentor@a.test")
    assert user.get_full_name() == "Новикова Мария"
    assert user_may_enter_school(user, world.school_a)
    assert client.get("/").status_code == 200  # logged in on the school host
    # Used once only.
    assert host_client(world.school_a).get(f"/invite/{invitation.token}/").status_code == 404


def test_an_invitation_refuses_mismatched_or_weak_passwords_and_writes_nothing(
    host_client, world, django_capture_on_commit_callbacks
):
    invitation = invitation_create(
        email="weak@a.test", role=Role.MENTEE, school=world.school_a, invited_by=None
    )
    client = host_client(world.school_a)
    form = {"last_name": "Иванов", "first_name": "Иван", "password1": "123", "password2": "123"}
    response = client.post(f"/invite/{invitation.token}/", form)
    assert response.status_code == 200
    assert not User.objects.filter(email="weak@a.test").exists()
    assert not Membership.objects.filter(
        school=world.school_a, role=Role.MENTEE, user__email="weak@a.test"
    ).exists()


def test_an_expired_invitation_does_not_open(host_client, world):
    invitation = invitation_create(
        email="late@a.test", role=Role.MENTOR, school=world.school_a, invited_by=None
    )
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert host_client(world.school_a).get(f"/invite/{invitation.token}/").status_code == 404


def test_an_inspector_invitation_opens_on_the_region_host(
    host_client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_create(
            email="imc2@m1.test", role=Role.INSPECTOR, municipality=world.m1, invited_by=world.regional_admin
        )
    assert _link(mail.outbox[0]) == f"http://localhost/invite/{invitation.token}/"
    assert host_client(world.school_a).get(f"/invite/{invitation.token}/").status_code == 404
    assert host_client().get(f"/invite/{invitation.token}/").status_code == 200


def test_an_existing_user_accepts_an_invitation_by_logging_in(host_client, world):
    invitation = invitation_create(
        email="curator@a.test", role=Role.CURATOR, school=world.school_b, invited_by=None
    )
    anonymous = host_client(world.school_b).get(f"/invite/{invitation.token}/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous.url
    client = host_client(world.school_b, world.curator_a)
    assert client.post(f"/invite/{invitation.token}/").status_code == 302
    assert user_may_enter_school(User.objects.get(pk=world.curator_a.pk), world.school_b)


def test_invitation_scope_must_match_the_role(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        invitation_create(email="x@a.test", role=Role.CURATOR, municipality=world.m1, invited_by=None)
    with pytest.raises(ValidationError):
        invitation_create(email="x@a.test", role=Role.INSPECTOR, school=world.school_a, invited_by=None)
    assert not Invitation.objects.filter(email="x@a.test").exists()


def test_regional_staff_can_set_up_two_factor_authentication(host_client, world):
    client = host_client(None, world.regional_admin)
    assert client.get("/accounts/2fa/").status_code == 200
    # Activating asks for the password again first.
    assert client.get("/accounts/2fa/totp/activate/").url.startswith("/accounts/reauthenticate/")
    client.post("/accounts/reauthenticate/", {"password": "Correct-Horse-42"})
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    assert 'id="authenticator_secret"' in page.content.decode()
    assert "data:image/svg+xml" in page.content.decode()  # the QR code for the authenticator app
