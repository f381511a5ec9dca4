from django import forms

from .models import Sequence


class SequenceForm(forms.ModelForm):
    class Meta:
        model = Sequence
        fields = ("name", "touch", "region", "steps", "length_days", "active")

    def clean(self):
        data = super().clean()
        if data.get("steps") is not None and data["steps"] < 1:
            self.add_error("steps", "SEQ-1: a sequence has at least one step.")
        if data.get("length_days") is not None and data["length_days"] < 1:
            self.add_error("length_days", "SEQ-1: a sequence lasts at least a day.")
        return data
