from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from lindung.core import selectors as core_selectors
from lindung.core.models import Organisation
from lindung.core.roles import Capability

from . import registry
from .models import Profile


def max_upload_bytes() -> int:
    return int(getattr(settings, "LINDUNG_STANDARD_MAX_UPLOAD_MB", 100)) * 1024 * 1024


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"), help_text=_("CSV (any encoding, any common delimiter) or XLSX with one sheet.")
    )
    profile = forms.ChoiceField(
        label=_("Layout of the file"), choices=Profile.choices, initial=Profile.LINDUNG
    )
    version = forms.ChoiceField(label=_("Version of the standard"))
    organisation = forms.ModelChoiceField(label=_("On behalf of"), queryset=Organisation.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].choices = [(v, v) for v in reversed(registry.versions())]
        self.fields["version"].initial = registry.current_version()
        orgs = core_selectors.organisations_with_capability(user, Capability.MANAGE_STANDARD)
        self.fields["organisation"].queryset = orgs.order_by("name")
        if orgs.count() == 1:
            self.fields["organisation"].initial = orgs.first()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = max_upload_bytes()
        if upload.size > limit:
            raise forms.ValidationError(
                _(
                    "The file is %(size)s MB; files up to %(limit)s MB can be uploaded here. "
                    "Use the command line (lindung standard import) for larger files."
                )
                % {"size": round(upload.size / 1048576), "limit": limit // 1048576}
            )
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        return upload


class ImportForm(UploadForm):
    partial = forms.BooleanField(
        label=_("Import the valid rows and report the others"),
        help_text=_(
            "Without this, one error in a row and nothing is imported. Errors of the whole file "
            "(unreadable, a required column missing) always refuse it."
        ),
        required=False,
    )


class DiffForm(forms.Form):
    old = forms.ChoiceField(label=_("From version"))
    new = forms.ChoiceField(label=_("To version"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(v, v) for v in registry.versions()]
        self.fields["old"].choices = choices
        self.fields["new"].choices = choices
        self.fields["old"].initial = registry.versions()[0]
        self.fields["new"].initial = registry.current_version()
