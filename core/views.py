from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.access import user_is_school_staff
from core.selectors import mentoring_summary, school_summary
from tenants.context import request_school, request_user
from tenants.forms import InvitationForm
from tenants.models import Invitation, Membership, Role, School
from tenants.selectors import invitable_roles, user_school_roles
from tenants.services import invitation_create, invitation_resend


def _school(request: HttpRequest) -> School:
    school = request_school(request)
    if school is None:  # the tenants urlconf is only routed for school hosts
        raise PermissionDenied
    return school


@require_GET
def school_home(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    roles = user_school_roles(request.user, school)
    staff = user_is_school_staff(request.user, school)
    today = timezone.localdate()
    return render(
        request,
        "school/home.html",
        {
            "school": school,
            "roles": [Role(r).label for r in sorted(roles)],
            "summary": school_summary(today=today) if staff else None,
            "mentoring": mentoring_summary(today=today) if staff else None,
        },
    )


@require_http_methods(["GET", "POST"])
def school_users(request: HttpRequest) -> HttpResponse:
    """The school's logins: who has which role, pending invitations, inviting mentors and mentees."""
    school = _school(request)
    roles = invitable_roles(request.user, school=school)
    if not roles:
        raise PermissionDenied("Приглашать могут администратор школы и куратор.")
    form = InvitationForm(request.POST or None, roles=roles)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                invitation_create(
                    email=form.cleaned_data["email"],
                    role=form.cleaned_data["role"],
                    school=school,
                    invited_by=request_user(request),
                )
            except ValidationError as error:
                form.add_error("email", error.messages)
            else:
                messages.success(request, f"Приглашение отправлено на {form.cleaned_data['email']}.")
                return redirect("school-users")
        status = 400
    return render(
        request,
        "school/users.html",
        {
            "form": form,
            "members": Membership.objects.filter(school=school).select_related("user").order_by("role"),
            "invitations": Invitation.objects.filter(school=school, accepted_at__isnull=True).order_by(
                "-created_at"
            ),
        },
        status=status,
    )


@require_POST
def school_invitation_resend(request: HttpRequest, pk: int) -> HttpResponse:
    school = _school(request)
    invitation = get_object_or_404(Invitation, pk=pk, school=school)
    if invitation.role not in invitable_roles(request.user, school=school):
        raise PermissionDenied
    try:
        invitation_resend(invitation=invitation, actor=request_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Приглашение отправлено повторно на {invitation.email}.")
    return redirect("school-users")
