from allauth.account.utils import perform_login
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from tenants.forms import InvitationAcceptForm
from tenants.models import User
from tenants.services import invitation_accept, invitation_get_valid


@require_http_methods(["GET", "POST"])
def invitation_accept_view(request: HttpRequest, token: str) -> HttpResponse:
    invitation = invitation_get_valid(token=token)
    # An invitation opens only on the host it is for: a school's on its own host, a region role on the base.
    if invitation is None or (invitation.school_id or None) != (getattr(request.tenant, "pk", None)):  # type: ignore[attr-defined]
        raise Http404("Приглашение не найдено или истекло.")
    existing = User.objects.filter(email__iexact=invitation.email).first()
    if existing is not None:
        if request.user.is_authenticated and request.user.pk == existing.pk:
            if request.method == "POST":
                invitation_accept(invitation=invitation, password="", last_name="", first_name="")
                messages.success(request, "Приглашение принято.")
                return redirect("home")
            return render(request, "tenants/invitation_existing.html", {"invitation": invitation})
        messages.info(request, f"Войдите как {invitation.email}, затем снова откройте ссылку из письма.")
        return redirect(f"/accounts/login/?next={request.path}")
    form = InvitationAcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = invitation_accept(
                invitation=invitation,
                password=form.cleaned_data["password1"],
                last_name=form.cleaned_data["last_name"],
                first_name=form.cleaned_data["first_name"],
                middle_name=form.cleaned_data["middle_name"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return perform_login(request, user, email_verification="none", redirect_url="/")
    return render(request, "tenants/invitation_accept.html", {"invitation": invitation, "form": form})
