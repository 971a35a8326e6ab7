"""After a fine-tune: the new model beside the one it started from, figure by figure on the photos held
out from its training, and the offer to make it the captioner's model (Settings.captioner_models)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.ui.wording import sentence


class NewModelDialog(QDialog):
    """Before/after table of ``evaluation`` (training.evaluate.EvaluationReport.to_json()); accepting means
    "use ``model_folder`` as the captioner's model from now on"."""

    def __init__(self, captioner_name: str, model_folder: str, evaluation: dict[str, Any],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model_folder = model_folder
        self.setWindowTitle(self.tr("Fine-tuned model ready"))
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr("The fine-tuned {captioner} model was evaluated on {pairs} approved captions "
                               "it was not trained on, beside the model it started from. Higher is better, "
                               "but for the loss. Use the new model for {captioner} from now on?").format(
            captioner=captioner_name, pairs=evaluation.get("pairs", 0)))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        models = evaluation.get("models") or []
        rows = self._rows(models, evaluation.get("split") == "all")
        self.table = QTableWidget(len(rows), len(models))
        self.table.setAccessibleName(self.tr("Scores of the models before and after fine-tuning"))
        headings = [self.tr("Before: {model}").format(model=model.get("label", "")) if number == 0 else
                    self.tr("After: {model}").format(model=model.get("label", ""))
                    for number, model in enumerate(models)]
        self.table.setHorizontalHeaderLabels(headings)
        self.table.setVerticalHeaderLabels([name for name, _values in rows])
        for row, (_name, values) in enumerate(rows):
            for column, value in enumerate(values):
                self.table.setItem(row, column, QTableWidgetItem(value))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        notes = [sentence(note) for note in evaluation.get("notes") or []]
        if notes:
            self.notes = QLabel("\n".join(notes))
            self.notes.setWordWrap(True)
            layout.addWidget(self.notes)
        buttons = QDialogButtonBox()
        self.use_button = buttons.addButton(self.tr("Use the new model"),
                                            QDialogButtonBox.ButtonRole.AcceptRole)
        self.keep_button = buttons.addButton(self.tr("Keep the current model"),
                                             QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _rows(self, models: list[dict[str, Any]], whole: bool) -> list[tuple[str, list[str]]]:
        """(figure, one value per model): pairs, the loss, then each metric in the order computed."""
        rows = [(self.tr("Captions scored"), [str(model.get("pairs", "")) for model in models]),
                (self.tr("Loss") if whole else self.tr("Validation loss"),
                 [_number(model.get("validation_loss")) for model in models])]
        names: list[str] = []
        for model in models:
            names += [name for name in model.get("metrics") or {} if name not in names]
        rows += [(name, [_number((model.get("metrics") or {}).get(name)) for model in models])
                 for name in names]
        return rows

    def cell(self, figure: str, column: int) -> str:
        """The text of one figure for one model (tests and screen readers read the same)."""
        for row in range(self.table.rowCount()):
            heading = self.table.verticalHeaderItem(row)
            if heading is not None and heading.text() == figure:
                item = self.table.item(row, column)
                return item.text() if item is not None else ""
        raise KeyError(figure)


def _number(value: Any) -> str:
    return "–" if value is None else f"{float(value):.4f}"
