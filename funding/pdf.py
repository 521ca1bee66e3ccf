"""Dossier documents produced by the platform, as PDFs (ReportLab platypus).

- the attendance sheet of an action (in the spirit of the CSF "Modèle 5"): one
  row per participant, one column per half-day, empty boxes to sign;
- the evaluation sheet of a participant (the CSF "F4"): 4-point scale questions;
- the training attestation of a participant.

Personal identifiers: the attendance sheet circulates in the room for every
participant to sign, so it carries names and categories only (no CIN). The
evaluation sheet is individual and the F4 form asks for the CIN and CNSS
numbers, so it prints them in full. The attestation carries no identifier.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from io import BytesIO
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from academy.pdf_fonts import pdf_fonts as fonts
from funding.formats import short_date
from funding.models import Attendance, FundingSettings, Participant, TrainingAction
from funding.selectors import Slot, attendance_slots

BRAND = colors.HexColor("#1d2a5b")
LINE = colors.HexColor("#6b6b6b")
SHADE = colors.HexColor("#eef0f6")
TRAINING_BODY = "Academy"
MAX_SLOT_COLUMNS = 10  # half-day columns per table, so each stays wide enough to sign in


def _styles() -> dict[str, ParagraphStyle]:
    f = fonts()
    return {
        "title": ParagraphStyle("title", fontName=f.bold, fontSize=16, leading=20, textColor=BRAND, spaceAfter=4),
        "subtitle": ParagraphStyle(
            "subtitle", fontName=f.regular, fontSize=9, leading=12, textColor=LINE, spaceAfter=8
        ),
        "body": ParagraphStyle("body", fontName=f.regular, fontSize=9, leading=12),
        "bold": ParagraphStyle("bold", fontName=f.bold, fontSize=9, leading=12),
        "small": ParagraphStyle("small", fontName=f.regular, fontSize=7.5, leading=9),
        "center": ParagraphStyle("center", fontName=f.bold, fontSize=8, leading=10, alignment=TA_CENTER),
        "small_center": ParagraphStyle(
            "small_center", fontName=f.regular, fontSize=7, leading=8.5, alignment=TA_CENTER
        ),
        "name": ParagraphStyle("name", fontName=f.bold, fontSize=15, leading=20, spaceAfter=10),
        "text": ParagraphStyle("text", fontName=f.regular, fontSize=11, leading=17, spaceAfter=10),
        "big": ParagraphStyle(
            "big", fontName=f.bold, fontSize=24, leading=30, alignment=TA_CENTER, textColor=BRAND, spaceAfter=16
        ),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


def person_name(user) -> str:
    """``DUPONT Zineb`` as on official lists; the email when the account has no name."""
    last, first = (user.last_name or "").strip(), (user.first_name or "").strip()
    return f"{last.upper()} {first}".strip() or user.email


def _trainers(action: TrainingAction) -> str:
    return ", ".join(t.get_full_name() or t.email for t in action.trainers.all()) or "—"


def _company(action: TrainingAction) -> str:
    return action.company.legal_name if action.company else _("Inter-entreprises")


def _place(action: TrainingAction) -> str:
    if action.remote:
        return _("À distance (plateforme Academy)") + (f" — {action.location}" if action.location else "")
    return action.location or "—"


def _info_table(rows: list[tuple[str, str]], width: float) -> Table:
    s = _styles()
    table = Table([[_p(k, s["bold"]), _p(v, s["body"])] for k, v in rows], colWidths=[4.2 * cm, width - 4.2 * cm])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def _signature_boxes(labels: list[str], width: float, height: float = 3.2 * cm) -> Table:
    s = _styles()
    cell = width / len(labels)
    table = Table([[_p(label, s["small"]) for label in labels]], colWidths=[cell] * len(labels), rowHeights=[height])
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.8, LINE),
                ("INNERGRID", (0, 0), (-1, -1), 0.8, LINE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _footer(label: str) -> Callable:
    def draw(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(fonts().regular, 7)
        canvas.setFillColor(LINE)
        generated = date_format(timezone.localtime(), "SHORT_DATETIME_FORMAT")
        canvas.drawString(doc.leftMargin, 0.8 * cm, f"{label} · {TRAINING_BODY} · {generated}")
        canvas.drawRightString(doc.pagesize[0] - doc.rightMargin, 0.8 * cm, _("Page %(n)s") % {"n": doc.page})
        canvas.restoreState()

    return draw


def _build(story: list[Flowable], *, pagesize, title: str, footer: str, compress: bool) -> bytes:
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=pagesize,
        leftMargin=1.2 * cm,
        rightMargin=1.2 * cm,
        topMargin=1.2 * cm,
        bottomMargin=1.4 * cm,
        title=title,
        author=TRAINING_BODY,
        pageCompression=1 if compress else 0,
    )
    on_page = _footer(footer)
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()


# --- attendance sheet ---------------------------------------------------------------


def _slot_chunks(slots: list[Slot]) -> list[list[Slot]]:
    """Split the columns into tables of at most MAX_SLOT_COLUMNS, never cutting a day in two."""
    chunks: list[list[Slot]] = [[]]
    for slot in slots:
        same_day = chunks[-1] and chunks[-1][-1].date == slot.date
        if len(chunks[-1]) >= MAX_SLOT_COLUMNS and not same_day:
            chunks.append([])
        chunks[-1].append(slot)
    return [chunk for chunk in chunks if chunk]


def _attendance_table(participants: list[Participant], slots: list[Slot], width: float) -> Table:
    s = _styles()
    name_w, cat_w = 6.2 * cm, 2.3 * cm
    slot_w = (width - name_w - cat_w) / max(len(slots), 1)
    half_label = {
        Attendance.Half.MORNING: _("Matin"),
        Attendance.Half.AFTERNOON: _("Après-midi"),
        Attendance.Half.DAY: _("Journée"),
    }
    dates = [_p(_("Nom et prénom"), s["center"]), _p(_("Catégorie"), s["center"])]
    halves = ["", ""]
    first_column: dict = {}
    spans = []
    for column, slot in enumerate(slots, start=2):
        if slot.date not in first_column:
            first_column[slot.date] = column
            dates.append(_p(date_format(slot.date, "D d/m"), s["center"]))
        else:
            dates.append("")
            spans.append(("SPAN", (first_column[slot.date], 0), (column, 0)))
        halves.append(
            Paragraph(f"{escape(half_label[slot.half])}<br/>{number_format(slot.hours)} h", s["small_center"])
        )
    rows = [dates, halves]
    for participant in participants:
        rows.append(
            [_p(person_name(participant.learner), s["body"]), _p(participant.get_category_display(), s["small"])]
            + [""] * len(slots)
        )
    table = Table(
        rows,
        colWidths=[name_w, cat_w] + [slot_w] * len(slots),
        rowHeights=[0.7 * cm, 0.8 * cm] + [1.15 * cm] * len(participants),
        repeatRows=2,
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.6, LINE),
                ("BACKGROUND", (0, 0), (-1, 1), SHADE),
                ("SPAN", (0, 0), (0, 1)),
                ("SPAN", (1, 0), (1, 1)),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ALIGN", (2, 1), (-1, 1), "CENTER"),
                *spans,
            ]
        )
    )
    return table


def attendance_sheet_pdf(action: TrainingAction, *, compress: bool = True) -> bytes:
    """The action's attendance list, landscape, with a signature box per participant and half-day."""
    s = _styles()
    pagesize = landscape(A4)
    width = pagesize[0] - 2.4 * cm
    settings = FundingSettings.load()
    slots = attendance_slots(list(action.days.order_by("date")), unit=settings.attendance_unit)
    participants = list(
        action.participants.select_related("learner").order_by("learner__last_name", "learner__first_name", "pk")
    )
    title = _("Liste de présence")
    story: list[Flowable] = [
        _p(title, s["title"]),
        _p(
            _(
                "Chaque participant signe chaque demi-journée. À cacheter par l'organisme de formation et par l'entreprise."
            ),
            s["subtitle"],
        ),
        _info_table(
            [
                (_("Entreprise"), _company(action)),
                (_("Thème de l'action"), action.title),
                (_("N° de contrat CSF"), action.csf_contract_number or "—"),
                (
                    _("Dates"),
                    _("du %(start)s au %(end)s")
                    % {"start": short_date(action.start_date), "end": short_date(action.end_date)},
                ),
                (_("Lieu"), _place(action)),
                (ngettext("Formateur", "Formateurs", action.trainers.count()), _trainers(action)),
            ],
            width,
        ),
        Spacer(1, 0.3 * cm),
    ]
    if not slots:
        story.append(_p(_("Aucune journée n'est programmée pour cette action."), s["body"]))
    for chunk in _slot_chunks(slots):
        story += [_attendance_table(participants, chunk, width), Spacer(1, 0.4 * cm)]
    story.append(
        KeepTogether(
            [
                _p(_("Fait à ____________________, le ____ / ____ / ________"), s["body"]),
                Spacer(1, 0.2 * cm),
                _signature_boxes(
                    [
                        _("Cachet et signature de l'organisme de formation (nom et qualité du signataire)"),
                        _("Cachet et signature de l'entreprise (nom et qualité du signataire)"),
                    ],
                    width,
                ),
            ]
        )
    )
    return _build(story, pagesize=pagesize, title=f"{title} — {action.title}", footer=title, compress=compress)


# --- evaluation sheet ---------------------------------------------------------------


def _questions() -> list[tuple[str, list[str]]]:
    return [
        (
            _("Conditions de déroulement"),
            [
                _("L'organisation (horaires, accès, salle ou plateforme) était satisfaisante."),
                _("La durée était adaptée au contenu."),
                _("Les supports remis sont clairs et utiles."),
            ],
        ),
        (
            _("Compétence du formateur"),
            [
                _("Le formateur maîtrise son sujet."),
                _("Les explications et les exercices étaient clairs."),
                _("Le formateur a répondu aux questions du groupe."),
            ],
        ),
        (
            _("Atteinte des objectifs"),
            [
                _("Les objectifs annoncés ont été atteints."),
                _("Je saurai appliquer ce que j'ai appris dans mon travail."),
                _("La formation répondait à mes besoins."),
            ],
        ),
    ]


def evaluation_sheet_pdf(participant: Participant, *, compress: bool = True) -> bytes:
    """The participant's F4 sheet, handed out on the last day."""
    s = _styles()
    action = participant.action
    pagesize = A4
    width = pagesize[0] - 2.4 * cm
    title = _("Fiche d'évaluation de l'action de formation")
    scale_labels = [_("Pas du tout"), _("Peu"), _("Moyen"), _("Tout à fait")]
    story: list[Flowable] = [
        _p(title, s["title"]),
        _p(_("Formulaire F4 — à remplir par le participant le dernier jour de la formation."), s["subtitle"]),
        _info_table(
            [
                (_("Thème"), action.title),
                (_("Entreprise"), _company(action)),
                (
                    _("Dates"),
                    _("du %(start)s au %(end)s")
                    % {"start": short_date(action.start_date), "end": short_date(action.end_date)},
                ),
                (_("Nom et prénom"), person_name(participant.learner)),
                (_("N° de CIN"), participant.cin or "—"),
                (_("N° d'immatriculation CNSS"), participant.cnss_number or "—"),
            ],
            width,
        ),
        Spacer(1, 0.4 * cm),
        _p(_("Cochez une case par ligne."), s["small"]),
        Spacer(1, 0.15 * cm),
    ]
    box_w = 2.0 * cm
    for section, questions in _questions():
        rows = [[_p(section, s["bold"])] + [_p(label, s["center"]) for label in scale_labels]]
        rows += [[_p(question, s["body"])] + [""] * len(scale_labels) for question in questions]
        table = Table(
            rows, colWidths=[width - 4 * box_w] + [box_w] * 4, rowHeights=[0.8 * cm] + [0.85 * cm] * len(questions)
        )
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.6, LINE),
                    ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ]
            )
        )
        story += [table, Spacer(1, 0.35 * cm)]
    story += [
        _signature_boxes([_("Remarques et suggestions")], width, height=3 * cm),
        Spacer(1, 0.35 * cm),
        _signature_boxes([_("Date"), _("Signature du participant")], width, height=2.4 * cm),
    ]
    return _build(
        story,
        pagesize=pagesize,
        title=f"{title} — {person_name(participant.learner)}",
        footer=_("Évaluation F4"),
        compress=compress,
    )


# --- attestation ---------------------------------------------------------------------


def attestation_pdf(
    participant: Participant, *, hours_attended: Decimal, hours_scheduled: Decimal, compress: bool = True
) -> bytes:
    """The attestation that the participant followed the action, with the hours attended."""
    s = _styles()
    action = participant.action
    pagesize = A4
    width = pagesize[0] - 2.4 * cm
    title = _("Attestation de formation")
    name = person_name(participant.learner)
    story: list[Flowable] = [
        Spacer(1, 2 * cm),
        _p(title, s["big"]),
        Spacer(1, 0.8 * cm),
        _p(_("L'organisme de formation %(body)s atteste que :") % {"body": TRAINING_BODY}, s["text"]),
        Paragraph(f"{escape(name)} <font size=11>({escape(participant.get_category_display())})</font>", s["name"]),
        _p(_("salarié·e de l'entreprise %(company)s,") % {"company": _company(action)}, s["text"])
        if action.company
        else _p(_("dans le cadre d'une action inter-entreprises,"), s["text"]),
        _p(
            _("a suivi l'action de formation « %(title)s » (cours « %(course)s »)")
            % {"title": action.title, "course": action.course.title},
            s["text"],
        ),
        _p(
            _("du %(start)s au %(end)s (lieu : %(place)s).")
            % {"start": short_date(action.start_date), "end": short_date(action.end_date), "place": _place(action)},
            s["text"],
        ),
        _p(
            _("Durée suivie : %(attended)s heures sur %(scheduled)s heures programmées.")
            % {"attended": number_format(hours_attended, 1), "scheduled": number_format(hours_scheduled, 1)},
            s["text"],
        ),
        Spacer(1, 1 * cm),
        _p(_("Fait à ____________________, le %(date)s") % {"date": short_date(timezone.localdate())}, s["text"]),
        Spacer(1, 0.4 * cm),
        _signature_boxes([_("Cachet et signature de l'organisme de formation")], width / 1.6, height=3.5 * cm),
    ]
    return _build(story, pagesize=pagesize, title=f"{title} — {name}", footer=title, compress=compress)
