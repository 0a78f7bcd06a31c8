"""The organizer's office in the admin: staff accounts, shifts and payments, a dashboard
per performance, exports. Loaded by sales.admin; every write is a call to a service."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .errors import SalesError
from .models import StaffMember
from .policy import ORGANIZER, ROLE_LABELS, ROLES
from .staff_accounts import (
    grantable_roles,
    may_manage,
    staff_create,
    staff_set_active,
    staff_set_password,
    staff_update,
)

# --- the admin's own name ---------------------------------------------------------------

admin.site.site_header = gettext_lazy("Box office")
admin.site.site_title = gettext_lazy("Box office")
admin.site.index_title = gettext_lazy("Organizer's office")
# The admin is served by the staff pool; "View site" opens the shop, on the public address.
admin.site.site_url = settings.SITE_URL.rstrip("/") + "/"


# --- staff accounts ------------------------------------------------------------------------

def _role_choices(actor):
    return [(role, ROLE_LABELS[role]) for role in grantable_roles(actor)]


class _PasswordPair(forms.Form):
    password1 = forms.CharField(label=gettext_lazy("Password"), strip=False, widget=forms.PasswordInput(
        attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=gettext_lazy("Password again"), strip=False, widget=forms.PasswordInput(
        attrs={"autocomplete": "new-password"}))

    def clean_password2(self):
        one, two = self.cleaned_data.get("password1"), self.cleaned_data.get("password2")
        if one and two and one != two:
            raise forms.ValidationError(_("The two passwords differ."))
        if two:
            password_validation.validate_password(two, getattr(self, "instance", None))
        return two


class StaffAddForm(forms.ModelForm):
    roles = forms.MultipleChoiceField(label=gettext_lazy("Roles"), widget=forms.CheckboxSelectMultiple)
    password1 = _PasswordPair.base_fields["password1"]
    password2 = _PasswordPair.base_fields["password2"]
    clean_password2 = _PasswordPair.clean_password2

    class Meta:
        model = StaffMember
        fields = ("username", "first_name", "last_name", "email")


class StaffChangeForm(forms.ModelForm):
    roles = forms.MultipleChoiceField(label=gettext_lazy("Roles"), widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = StaffMember
        fields = ("first_name", "last_name", "email", "is_active")


class PasswordForm(_PasswordPair):
    pass


@admin.register(StaffMember)
class StaffMemberAdmin(admin.ModelAdmin):
    """Counter clerks, phone operators and door staff, managed by an organizer; a superuser
    also manages organizers here. Superusers themselves are not listed."""

    list_display = ("username", "full_name", "role_list", "is_active", "last_login")
    list_filter = ("is_active", "groups")
    search_fields = ("username", "first_name", "last_name", "email")
    actions = ["disable", "enable"]
    readonly_fields = ("password_link", "last_login", "date_joined")

    def get_queryset(self, request):
        qs = super().get_queryset(request).filter(is_superuser=False).prefetch_related("groups")
        if not request.user.is_superuser:
            qs = qs.exclude(groups__name=ORGANIZER).exclude(pk=request.user.pk)
        return qs

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or may_manage(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        return False  # disabled, not deleted: their sales and shifts stay recorded with them

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("username", "first_name", "last_name", "email", "roles", "password1", "password2")
        return ("username", "first_name", "last_name", "email", "roles", "is_active", "password_link",
                "last_login", "date_joined")

    def get_readonly_fields(self, request, obj=None):
        return ("username", *self.readonly_fields) if obj is not None else ()

    def get_form(self, request, obj=None, change=False, **kwargs):
        base = StaffChangeForm if obj is not None else StaffAddForm
        choices = _role_choices(request.user)
        initial = [g.name for g in obj.groups.all() if g.name in ROLES] if obj is not None else []

        class Form(base):
            def __init__(self, *args, **kw):
                super().__init__(*args, **kw)
                self.fields["roles"].choices = choices
                if obj is not None and not self.is_bound:
                    self.initial["roles"] = initial

        kwargs["form"] = Form
        return super().get_form(request, obj, change=change, **kwargs)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            if change:
                staff_update(actor=request.user, user=obj, roles=data["roles"], email=data["email"],
                             first_name=data["first_name"], last_name=data["last_name"],
                             is_active=data["is_active"])
            else:
                made = staff_create(actor=request.user, username=data["username"], password=data["password1"],
                                    roles=data["roles"], email=data["email"], first_name=data["first_name"],
                                    last_name=data["last_name"])
                obj.pk, obj._state.adding = made.pk, False
        except SalesError as exc:
            raise PermissionDenied(exc.message) from None

    def save_related(self, request, form, formsets, change):
        pass  # the roles are the service's to set

    @admin.display(description=gettext_lazy("Name"))
    def full_name(self, obj):
        return obj.get_full_name()

    @admin.display(description=gettext_lazy("Roles"))
    def role_list(self, obj):
        return ", ".join(str(ROLE_LABELS[g.name]) for g in obj.groups.all() if g.name in ROLES)

    @admin.display(description=gettext_lazy("Password"))
    def password_link(self, obj):
        if obj is None or obj.pk is None:
            return "-"
        return format_html('<a class="button" href="{}">{}</a>',
                           reverse("admin:sales_staffmember_password", args=[obj.pk]), _("Set a new password"))

    def get_urls(self):
        return [path("<int:pk>/password/", self.admin_site.admin_view(self.set_password),
                     name="sales_staffmember_password")] + super().get_urls()

    def set_password(self, request, pk):
        user = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_change_permission(request, user):
            raise PermissionDenied
        form = PasswordForm(request.POST or None)
        form.instance = user
        if request.method == "POST" and form.is_valid():
            try:
                staff_set_password(actor=request.user, user=user, password=form.cleaned_data["password1"])
            except SalesError as exc:
                form.add_error(None, exc.message)
            else:
                self.message_user(request, _("%(user)s has a new password.") % {"user": user.username},
                                  messages.SUCCESS)
                return redirect(reverse("admin:sales_staffmember_change", args=[user.pk]))
        return render(request, "admin/sales/staffmember/password.html", {
            **self.admin_site.each_context(request), "form": form, "member": user, "opts": self.model._meta,
            "title": _("New password for %(user)s") % {"user": user.username}})

    def _set_active(self, request, queryset, active: bool):
        done = 0
        for user in queryset:
            try:
                staff_set_active(actor=request.user, user=user, active=active)
                done += 1
            except SalesError as exc:
                self.message_user(request, f"{user.username}: {exc.message}", messages.ERROR)
        if done:
            self.message_user(request, (_("Disabled: %(n)d") if not active else _("Enabled: %(n)d")) % {"n": done},
                              messages.SUCCESS)

    @admin.action(description=gettext_lazy("Disable (no more sign-in)"), permissions=["change"])
    def disable(self, request, queryset):
        self._set_active(request, queryset, False)

    @admin.action(description=gettext_lazy("Enable"), permissions=["change"])
    def enable(self, request, queryset):
        self._set_active(request, queryset, True)
