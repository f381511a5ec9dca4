"""IMPORT-1..4 (CONTRACT 6.6): upload → preview → commit → errors.csv → undo; hostile files
refused with a clear message and nothing created; idempotent commits (Q-IDEM)."""

import csv
import datetime
import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Account
from gtm_portal.activity.models import Activity
from gtm_portal.core.enums import PersonStatus as S
from gtm_portal.core.models import FieldChange
from gtm_portal.devtools.demo.campaigns import seed_campaigns
from leads.imports import commit as import_commit
from leads.imports import files, services
from leads.models import CampaignMember, ImportedRow, ImportMapping, ImportRun, Lead

from . import import_files
from .factories import ContactFactory, LeadFactory, UserFactory, initial_source

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _tasks_after_commit(django_capture_on_commit_callbacks, monkeypatch):
    """The commit's task is queued after the transaction commits; tests run inside one, so
    each commit request runs its captured callbacks (the eager task) when it returns."""
    original = services.import_commit

    def commit_then_run(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return original(**kwargs)

    monkeypatch.setattr(services, "import_commit", commit_then_run)


def _client(username="mops"):
    client = Client()
    client.login(username=username, password="demo")
    return client


def _upload(client, content: bytes, name="list.csv", **data):
    return client.post(
        "/imports/", {"file": SimpleUploadedFile(name, content), **data}, follow=False
    )


def _run_of(response) -> ImportRun:
    assert response.status_code == 302, response.content[:500]
    return ImportRun.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))


def _json(client, run):
    return client.get(f"/imports/{run.pk}/", {"format": "json"}).json()


def test_import2_preview_shows_the_three_outcomes_and_writes_nothing(users):
    match = LeadFactory(email="MATCH@outcomes.example", initial_source=initial_source("Web"))
    client = _client()
    before = Lead.objects.count()
    run = _run_of(_upload(client, import_files.data_file("three-outcomes.csv")))
    j = _json(client, run)
    assert j == {
        "state": "preview",
        "rows": 4,
        "create": 1,
        "update": 1,
        "errors": 2,
        "created": 0,
        "updated": 0,
        "skipped": 0,
        "percent": 0,
        "undone": False,
    }
    assert Lead.objects.count() == before  # nothing written before the commit
    reasons = " ".join(run.row_errors.values_list("reason", flat=True))
    assert "duplicate of row 2" in reasons and "last name is required" in reasons
    assert "not a valid e-mail" in reasons
    page = client.get(f"/imports/{run.pk}/").content.decode()
    assert "New people" in page and "Updates" in page and "Errors" in page
    assert match.pk  # matched by e-mail, any case


def test_import2_all_or_nothing_refuses_a_file_with_errors(users):
    client = _client()
    run = _run_of(_upload(client, import_files.data_file("three-outcomes.csv")))
    r = client.post(f"/imports/{run.pk}/commit/", {"mode": "all"}, follow=True)
    assert "IMPORT-2" in r.content.decode()
    run.refresh_from_db()
    assert run.state == "preview" and not Lead.objects.filter(email="new@outcomes.example")


def test_import2_skip_invalid_commits_valid_rows_and_reports_the_rest(users):
    LeadFactory(email="match@outcomes.example", title="", initial_source=initial_source("Web"))
    client = _client()
    run = _run_of(_upload(client, import_files.data_file("three-outcomes.csv")))
    assert client.post(f"/imports/{run.pk}/commit/", {"mode": "skip_invalid"}).status_code == 302
    j = _json(client, run)  # eager: the task ran in the request
    assert (j["state"], j["created"], j["updated"], j["skipped"]) == ("done", 1, 1, 2)
    new = Lead.objects.get(email="new@outcomes.example")
    assert new.owner == users["mops"]  # IMPORT-1: blank owner = the uploader
    assert new.initial_source.name == "Conference"
    matched = Lead.objects.get(email="match@outcomes.example")
    assert matched.initial_source.name == "Web"  # never overwritten
    assert matched.company == "Old Co"
    body = b"".join(client.get(f"/imports/{run.pk}/errors.csv").streaming_content).decode()
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0] == ["row", "column", "value", "reason"]
    assert {r[0] for r in rows[1:]} == {"4", "5"}


def test_import2_all_mode_writes_everything(users):
    client = _client()
    run = _run_of(_upload(client, import_files.csv_rows(30)))
    client.post(f"/imports/{run.pk}/commit/", {"mode": "all"})
    j = _json(client, run)
    assert (j["state"], j["created"], j["percent"]) == ("done", 30, 100)
    assert Lead.objects.filter(email__endswith="@imp.example").count() == 30


def test_q_idem_double_commit_and_reupload_never_duplicate(users):
    client = _client()
    content = import_files.csv_rows(10)
    run = _run_of(_upload(client, content))
    client.post(f"/imports/{run.pk}/commit/", {"mode": "all"})
    client.post(f"/imports/{run.pk}/commit/", {"mode": "all"})  # clicked twice
    import_commit.run_commit(run.pk)  # the task delivered again
    assert Lead.objects.filter(email__endswith="@imp.example").count() == 10
    again = _run_of(_upload(client, content))  # the same file uploaded again
    assert (again.to_create, again.to_update) == (0, 10)
    client.post(f"/imports/{again.pk}/commit/", {"mode": "all"})
    assert Lead.objects.filter(email__endswith="@imp.example").count() == 10


def test_q_idem_crash_mid_commit_all_leaves_nothing_and_skip_invalid_resumes(users, monkeypatch):
    content = import_files.csv_rows(5000)  # three batches of 2,000
    client = _client()
    original = import_commit.Writer.batch
    calls = {"n": 0}

    def crash_on_second_batch(self, plans):
        calls["n"] += 1
        if calls["n"] == 2:
            raise SystemExit("worker killed")
        return original(self, plans)

    # all or nothing: nothing survives the crash
    run = _run_of(_upload(client, content))
    monkeypatch.setattr(import_commit.Writer, "batch", crash_on_second_batch)
    with pytest.raises(SystemExit):
        services.import_commit(run=run, by=users["mops"], mode="all")
    assert Lead.objects.filter(email__endswith="@imp.example").count() == 0
    monkeypatch.setattr(import_commit.Writer, "batch", original)
    import_commit.run_commit(run.pk)  # redelivered (acks_late)
    run.refresh_from_db()
    assert (run.state, run.created) == ("done", 5000)
    Lead.objects.filter(email__endswith="@imp.example").delete()

    # skip invalid: the first batch stays, the redelivered task finishes the rest once
    calls["n"] = 0
    run = _run_of(_upload(client, content))
    monkeypatch.setattr(import_commit.Writer, "batch", crash_on_second_batch)
    with pytest.raises(SystemExit):
        services.import_commit(run=run, by=users["mops"], mode="skip_invalid")
    run.refresh_from_db()
    assert (run.state, run.done_rows) == ("running", 2000)
    assert Lead.objects.filter(email__endswith="@imp.example").count() == 2000
    monkeypatch.setattr(import_commit.Writer, "batch", original)
    import_commit.run_commit(run.pk)
    run.refresh_from_db()
    assert (run.state, run.created, run.done_rows) == ("done", 5000, 5000)
    assert Lead.objects.filter(email__endswith="@imp.example").count() == 5000
    assert ImportedRow.objects.filter(run=run).count() == 5000


@pytest.mark.parametrize("name", sorted(import_files.hostile()))
def test_import4_hostile_file_is_refused_with_a_reason_and_nothing_created(users, name):
    client = _client()
    r = _upload(client, import_files.hostile()[name], name=name)
    assert r.status_code == 400
    assert "IMPORT-4" in r.content.decode()
    assert not ImportRun.objects.exists()


@pytest.mark.parametrize(
    ("name", "first", "company"),
    [
        ("utf8-bom.csv", "Jörg", "Müller AG"),
        ("utf16.csv", "Zoë", "Brontë Ltd"),
        ("cp1252.csv", "René", "Café € Co"),
    ],
)
def test_import4_odd_encodings_are_read(users, name, first, company):
    client = _client()
    run = _run_of(_upload(client, import_files.data_file(name)))
    assert run.to_create == 1, list(run.row_errors.values_list("reason", flat=True))
    client.post(f"/imports/{run.pk}/commit/", {"mode": "all"})
    lead = Lead.objects.get(first_name=first)
    assert lead.company == company


def test_import4_formulas_stay_text_and_errors_csv_neutralises_them(users):
    client = _client()
    run = _run_of(_upload(client, import_files.data_file("formulas.csv")))
    client.post(f"/imports/{run.pk}/commit/", {"mode": "all"})
    lead = Lead.objects.get(email="eve@formula.example")
    assert lead.title == "=1+1" and lead.company.startswith("=HYPERLINK")
    book = import_files.xlsx(
        [
            ["first_name", "last_name", "email", "company", "initial_source", "title"],
            ["Fx", "Cell", "fx@formula.example", "Fx", "Conference", "x"],
        ],
        formula_cell="F2",
    )
    run = _run_of(_upload(client, book, name="f.xlsx"))
    client.post(f"/imports/{run.pk}/commit/", {"mode": "all"})
    assert Lead.objects.get(email="fx@formula.example").title == "=1+1"  # never evaluated
    bad = b"first_name,last_name,email\nA,B,=cmd|' /C calc'!A0\n"
    run = _run_of(_upload(client, bad))
    body = b"".join(client.get(f"/imports/{run.pk}/errors.csv").streaming_content).decode()
    assert ",'=cmd" in body and ",=cmd" not in body


def test_import4_huge_cell_is_a_row_error(users):
    client = _client()
    run = _run_of(_upload(client, import_files.data_file("huge-cell.csv")))
    assert (run.to_create, run.errors) == (1, 1)
    assert "100,000 characters" in run.row_errors.get().reason


def test_import1_xlsx_headers_matched_alike_and_mapping_remembered(users):
    client = _client()
    run = _run_of(_upload(client, import_files.plain_xlsx(), name="people.xlsx"))
    assert (run.file_kind, run.to_create) == ("xlsx", 1)
    odd = b"Vorname,Nachname,Mail,Firma,Quelle\nKai,Odd,kai@odd.example,Odd,Conference\n"
    run = _run_of(_upload(client, odd))
    assert run.errors == 1
    chosen = {
        "map-0": "first_name",
        "map-1": "last_name",
        "map-2": "email",
        "map-3": "company",
        "map-4": "initial_source",
    }
    client.post(f"/imports/{run.pk}/mapping/", chosen)
    run.refresh_from_db()
    assert (run.to_create, run.errors) == (1, 0)
    assert ImportMapping.objects.count() == 1
    again = _run_of(_upload(client, odd))
    assert again.to_create == 1  # remembered for the same headers


def test_import1_owner_column_campaign_and_inactive_source(users, demo):
    camps = {c.name: c for c in seed_campaigns()}
    src = initial_source("Old Source")
    src.active = False
    src.save()
    body = (
        b"first_name,last_name,email,company,initial_source,owner,campaign,member_status,opt_out\n"
        b"Ann,Owner,ann@own.example,Own,Conference,sdr.amer1,20261110_DevOps_Webcast,Attended,yes\n"
        b"Ben,Gone,ben@own.example,Own,Old Source,,,,\n"
        b"Cat,Nobody,cat@own.example,Own,Conference,no.such.user,,,\n"
    )
    client = _client()
    run = _run_of(_upload(client, body))
    assert (run.to_create, run.errors) == (1, 2)
    client.post(f"/imports/{run.pk}/commit/", {"mode": "skip_invalid"})
    ann = Lead.objects.get(email="ann@own.example")
    assert ann.owner == users["sdr.amer1"] and ann.email_opt_out
    assert ann.status == S.INQUIRY  # CAMP-1: responded to a webcast
    assert CampaignMember.objects.filter(campaign=camps["20261110_DevOps_Webcast"], lead=ann)


def test_import3_high_priority_campaign_import_goes_hot_to_the_bdr(users):
    camps = {c.name: c for c in seed_campaigns()}
    assert Account.objects.filter(domain="globex.example").exists()
    body = b"first_name,last_name,email,company\nGil,Globex,gil@globex.example,Globex\n"
    client = _client()
    run = _run_of(
        _upload(client, body, campaign="20261201_NYC_Field_Event", initial_source="Conference")
    )
    client.post(f"/imports/{run.pk}/commit/", {"mode": "all"})
    gil = Lead.objects.get(email="gil@globex.example")
    assert gil.is_hot and gil.owner == users["bdr.amer1"]
    assert gil.matched_account.name == "Globex Corporation"
    assert camps["20261201_NYC_Field_Event"].members.filter(lead=gil).exists()


def test_import3_updates_a_contact_matched_by_email(users):
    contact = ContactFactory(email="carla@contacts.example", title="")
    body = b"first_name,last_name,email,title\nCarla,Contact,carla@contacts.example,CTO\n"
    client = _client()
    run = _run_of(_upload(client, body))
    assert run.to_update == 1
    client.post(f"/imports/{run.pk}/commit/", {"mode": "all"})
    contact.refresh_from_db()
    assert contact.title == "CTO"
    assert not Lead.objects.filter(email="carla@contacts.example").exists()


def test_q_audit_imported_new_leads_get_a_created_line_and_an_activity(users):
    """IMPORT-2 / Q-AUDIT / ACT-1: each new lead gets one "record: created by list import"
    history line and one activity "Imported from list <file>" (system: not sales activity);
    an updated person gets neither; undo takes the new leads' lines with them."""
    kept = LeadFactory(email="ada0@imp.example", company="Before")
    client = _client()
    run = _run_of(_upload(client, import_files.csv_rows(3), name="fall-fair.csv"))
    client.post(f"/imports/{run.pk}/commit/", {"mode": "skip_invalid"})
    new = list(Lead.objects.filter(email__in=["ada1@imp.example", "ada2@imp.example"]))
    assert len(new) == 2
    lead_type = ContentType.objects.get_for_model(Lead)
    for lead in new:
        lines = FieldChange.objects.filter(
            content_type=lead_type, object_id=lead.pk, field="record"
        )
        assert [(c.old_value, c.new_value, c.changed_by) for c in lines] == [
            ("", "created by list import fall-fair.csv", users["mops"])
        ]
        assert "IMPORT-2" in lines[0].reason
        acts = list(Activity.objects.filter(lead=lead))
        assert [(a.kind, a.subject, a.is_sales, a.logged_by) for a in acts] == [
            ("note", "Imported from list fall-fair.csv", False, None)
        ]
    assert not FieldChange.objects.filter(
        content_type=lead_type, object_id=kept.pk, field="record"
    ).exists()
    assert not Activity.objects.filter(lead=kept).exists()
    client.post(f"/imports/{run.pk}/undo/")
    assert not FieldChange.objects.filter(
        content_type=lead_type, object_id__in=[lead.pk for lead in new]
    ).exists()


def _converted_lead(email: str, *, contact=None, **extra):
    return LeadFactory(
        email=email,
        title="Old title",
        status=S.QUALIFIED,
        converted_at=timezone.now(),
        converted_contact=contact,
        **extra,
    )


def test_lead_status10_row_matching_a_converted_lead_updates_its_contact(users):
    """IMPORT-2 / LEAD-STATUS 10: the converted lead is read-only — the row updates the
    contact it was converted to (preview and commit), the lead is not written."""
    contact = ContactFactory(email="conv@imp.example", title="")
    lead = _converted_lead("Conv@imp.example", contact=contact)
    before = Lead.objects.filter(pk=lead.pk).values().get()
    body = b"first_name,last_name,email,title\nCon,Verted,conv@imp.example,CTO\n"
    client = _client()
    run = _run_of(_upload(client, body))
    assert (run.to_create, run.to_update, run.errors) == (0, 1, 0)
    client.post(f"/imports/{run.pk}/commit/", {"mode": "all"})
    run.refresh_from_db()
    assert (run.state, run.created, run.updated) == ("done", 0, 1)
    contact.refresh_from_db()
    assert contact.title == "CTO"
    assert Lead.objects.filter(pk=lead.pk).values().get() == before  # not written
    assert ImportedRow.objects.get(run=run).contact == contact
    assert Lead.objects.filter(email__iexact="conv@imp.example").count() == 1


def test_lead_status10_row_matching_a_read_only_lead_without_contact_is_an_error(users):
    """IMPORT-2 / LEAD-STATUS 10: a qualified (or converted) lead with no contact to update
    makes its row an error row with the reason; nothing is created or written for it."""
    lead = LeadFactory(email="qual@imp.example", title="Old title", status=S.QUALIFIED)
    before = Lead.objects.filter(pk=lead.pk).values().get()
    body = (
        b"first_name,last_name,email,title,initial_source\n"
        b"Qual,Ified,qual@imp.example,CTO,Conference\n"
        b"New,Person,new@imp.example,CTO,Conference\n"
    )
    client = _client()
    run = _run_of(_upload(client, body))
    assert (run.to_create, run.to_update, run.errors) == (1, 0, 1)
    reason = run.row_errors.get().reason
    assert "LEAD-STATUS 10" in reason and f"#{lead.pk}" in reason and "no contact" in reason
    client.post(f"/imports/{run.pk}/commit/", {"mode": "skip_invalid"})
    run.refresh_from_db()
    assert (run.state, run.created, run.updated, run.skipped) == ("done", 1, 0, 1)
    assert Lead.objects.filter(pk=lead.pk).values().get() == before
    assert Lead.objects.filter(email="qual@imp.example").count() == 1


def test_lead_status10_lead_converted_after_the_match_is_not_written(users):
    """LEAD-STATUS 10 at the write: a lead converted between the match and its row lock
    makes the row an error row (skip invalid), never a write."""
    lead = LeadFactory(email="late@imp.example", title="Old title")
    run = _run_of(
        _upload(_client(), b"first_name,last_name,email,title\nLa,Te,late@imp.example,CTO\n")
    )
    writer = import_commit.Writer(run)
    plan = next(import_commit.rows.plans(run, writer.refs))[0]
    assert plan.action == "update"
    Lead.objects.filter(pk=lead.pk).update(status=S.QUALIFIED, converted_at=timezone.now())
    assert writer.update(plan) is None
    assert "LEAD-STATUS 10" in plan.errors[0][2]
    lead.refresh_from_db()
    assert lead.title == "Old title"


def test_import2_undo_within_24h_removes_only_what_it_created(users):
    keep = LeadFactory(email="ada0@imp.example", company="Before")
    client = _client()
    run = _run_of(_upload(client, import_files.csv_rows(3)))
    client.post(f"/imports/{run.pk}/commit/", {"mode": "all"})
    assert Lead.objects.filter(email__endswith="@imp.example").count() == 3
    client.post(f"/imports/{run.pk}/undo/")
    assert list(Lead.objects.filter(email__endswith="@imp.example")) == [keep]
    keep.refresh_from_db()
    assert keep.company == "Analytical 0"  # the update stays
    run.refresh_from_db()
    assert run.undone_at is not None
    old = _run_of(_upload(client, import_files.csv_rows(1, start=50)))
    client.post(f"/imports/{old.pk}/commit/", {"mode": "all"})
    ImportRun.objects.filter(pk=old.pk).update(
        finished_at=timezone.now() - datetime.timedelta(hours=25)
    )
    r = client.post(f"/imports/{old.pk}/undo/", follow=True)
    assert "within 24 hours" in r.content.decode()
    assert Lead.objects.filter(email="ada50@imp.example").exists()


@pytest.mark.parametrize("username", ["exec", "sdr.amer1"])
def test_role3_only_marketing_ops_imports(users, username):
    client = _client(username)
    assert client.get("/imports/").status_code == 403
    assert _upload(client, import_files.csv_rows(1)).status_code == 403
    run = services.import_upload(
        by=users["mops"], file_name="a.csv", content=import_files.csv_rows(1)
    )
    assert client.post(f"/imports/{run.pk}/commit/", {"mode": "all"}).status_code == 403
    assert client.get(f"/imports/{run.pk}/errors.csv").status_code == 403
    assert not Lead.objects.filter(email__endswith="@imp.example").exists()


def test_import_history_lists_imports_with_counts(users):
    client = _client()
    run = _run_of(_upload(client, import_files.csv_rows(2), name="webinar-leads.csv"))
    client.post(f"/imports/{run.pk}/commit/", {"mode": "all"})
    page = client.get("/imports/").content.decode()
    assert "webinar-leads.csv" in page and "Done" in page


def test_sniff_tells_type_by_content_not_name():
    assert files.sniff(import_files.plain_xlsx()) == files.XLSX
    assert files.sniff(b"a,b\n1,2\n") == files.CSV


def test_import2_the_file_is_read_once_and_the_commit_writes_the_rows_the_preview_read(
    users, monkeypatch
):
    """IMPORT-2 / Q-PERF: the upload reads the file once (an XLSX is parsed once) and keeps
    its rows, not the file; the preview and the commit read those rows, so they see the same
    rows — the commit never parses the workbook again."""
    client = _client()
    run = _run_of(_upload(client, import_files.plain_xlsx(), name="people.xlsx"))
    assert list(files.table_rows(bytes(run.table))) == list(
        files.iter_rows(import_files.plain_xlsx(), files.XLSX)
    )
    assert "content" not in {f.name for f in ImportRun._meta.get_fields()}

    def no_second_read(*args):
        raise AssertionError("the file was parsed again")

    monkeypatch.setattr(files, "iter_rows", no_second_read)
    client.post(f"/imports/{run.pk}/commit/", {"mode": "all"})
    run.refresh_from_db()
    assert (run.state, run.created) == (ImportRun.State.DONE, 1)


def test_import1_the_kept_rows_keep_every_cell_as_it_was_read():
    """The rows kept at upload are the rows the file gave, cell for cell: separators (the
    file's own semicolons), quotes, line breaks, tabs and a lone cell holding a semicolon
    (no delimiter is guessed again when they are read back)."""
    content = b'email;note\n"a@x.example; b";"line\nbreak ""quoted"", tab\t"\n"only;one"\n'
    read = list(files.iter_rows(content, files.CSV))
    assert read == [
        ["email", "note"],
        ["a@x.example; b", 'line\nbreak "quoted", tab\t'],
        ["only;one"],
    ]
    assert list(files.table_rows(files.as_table(content, files.CSV))) == read
    single = b'"e;mail"\nsemi@x.example\n'  # one column whose header holds a semicolon
    assert list(files.iter_rows(single, files.CSV)) == [["e;mail"], ["semi@x.example"]]
    assert list(files.table_rows(files.as_table(single, files.CSV))) == [
        ["e;mail"],
        ["semi@x.example"],
    ]


@pytest.mark.django_db(transaction=True)
def test_import2_the_migration_keeps_the_rows_of_unfinished_imports_and_drops_the_files():
    """Migrations 0016–0017: imports not yet finished get their rows from the file they
    kept (their commit reads them); finished ones are never read again; then the files go."""
    before = [("leads", "0015_first_touch_minutes")]
    after = [("leads", "0017_importrun_without_file")]
    user = UserFactory()
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("leads", "ImportRun")
    kept = {
        state: old.objects.create(
            uploaded_by_id=user.pk,
            file_name="p.xlsx",
            file_kind=files.XLSX,
            content=import_files.plain_xlsx(),
            state=state,
        ).pk
        for state in ("preview", "queued", "running", "done")
    }
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    tables = dict(ImportRun.objects.values_list("pk", "table"))
    rows = files.as_table(import_files.plain_xlsx(), files.XLSX)
    filled = {state: bytes(tables[pk]) == rows for state, pk in kept.items()}
    assert filled == {"preview": True, "queued": True, "running": True, "done": False}
    assert bytes(tables[kept["done"]]) == b""
    with connection.cursor() as cursor:
        columns = connection.introspection.get_table_description(cursor, "leads_importrun")
    assert "content" not in {c.name for c in columns}


def test_pages_the_progress_poll_and_the_admin_never_read_the_kept_rows(users):
    """The import history, an import's page, its progress poll (every second while it
    runs) and the admin's list and page leave the rows an import keeps (up to 20 MB) in
    the database."""
    client = _client()
    run = _run_of(_upload(client, import_files.csv_rows(3)))
    for url in (
        "/imports/",
        f"/imports/{run.pk}/",
        f"/imports/{run.pk}/?format=json",
        "/admin/leads/importrun/",
        f"/admin/leads/importrun/{run.pk}/change/",
    ):
        with CaptureQueriesContext(connection) as q:
            assert client.get(url).status_code == 200
        reads = [s["sql"] for s in q.captured_queries if "leads_importrun" in s["sql"]]
        assert reads and not [s for s in reads if '"table"' in s], url
