"""The Settings dialog's Review page: the order Ctrl+Enter's "next photo needing review" follows, when to
suggest fine-tuning, and which flag rules apply to AI drafts (Settings.review)."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QHBoxLayout, QSpinBox, QVBoxLayout, QWidget

from desktop_app.settings import FINETUNE_AFTER, ReviewSettings
from desktop_app.ui.dialogs.settings_parts import hint as _hint

# The languages whose flag rules ship with the app, each named in its own language.
FLAG_LANGUAGES = {"en": "English", "de": "Deutsch"}


class ReviewSettingsPage(QWidget):
    """The controls of Settings.review; ``review_settings()`` is what they say."""

    def __init__(self, review: ReviewSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reviewSettings")
        self._review = review
        self.order = QComboBox()
        for label, value in ((self.tr("The grid's order (the next photo after this one)"), "default"),
                             (self.tr("Most useful first (least confident, unlike anything approved)"),
                              "most-useful")):
            self.order.addItem(label, value)
        self.order.setCurrentIndex(max(0, self.order.findData(review.order)))
        self.finetune_after = QSpinBox()
        self.finetune_after.setRange(*FINETUNE_AFTER)
        self.finetune_after.setSingleStep(50)
        self.finetune_after.setValue(review.finetune_after)
        self.languages: dict[str, QCheckBox] = {}
        languages = QHBoxLayout()
        for code, name in FLAG_LANGUAGES.items():
            box = QCheckBox(name)
            box.setChecked(code in review.flag_languages)
            self.languages[code] = box
            languages.addWidget(box)
        languages.addStretch(1)
        self.flag_meanings = QCheckBox(self.tr("Also flag text that means what a rule describes"))
        self.flag_meanings.setChecked(review.flag_meanings)

        form = QFormLayout()
        form.addRow(self.tr("Next photo needing review:"), self.order)
        form.addRow("", _hint(self.tr(
            "Most useful first: the least confident captions first (in steps of 0.05), and among those the "
            "photos whose captions are least like any approved caption, once captions are embedded "
            "(Captioning > Embed Captions). Photos another editor is reviewing are skipped.")))
        form.addRow(self.tr("Suggest fine-tuning after:"), self.finetune_after)
        form.addRow("", _hint(self.tr("New approved captions of a captioner since its last fine-tune.")))
        form.addRow(self.tr("Flag rules for:"), languages)
        form.labelForField(languages).setBuddy(self.languages["en"])  # the label names the first box
        form.addRow("", self.flag_meanings)
        form.addRow("", _hint(self.tr("Meaning-based flags use the text embedder: slower, and they find "
                                      "wordings the lists do not have.")))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addStretch(1)

    def review_settings(self) -> ReviewSettings:
        """Settings.review as chosen; languages the page does not show are kept as they were."""
        kept = [code for code in self._review.flag_languages if code not in self.languages]
        chosen = [code for code, box in self.languages.items() if box.isChecked()]
        return ReviewSettings(order=str(self.order.currentData()), finetune_after=self.finetune_after.value(),
                              flag_languages=tuple(chosen + kept),
                              flag_meanings=self.flag_meanings.isChecked())
