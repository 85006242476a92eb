"""Corpus cases: malformed and valid mapping files (TOML and YAML). A mapping that cannot be
used is a bad argument: one line naming the file and the key, exit 2, nothing read."""

from __future__ import annotations

from tests.corpus.case import Case
from tests.corpus.make import contact, contacts, csv_bytes, row_count, stored_as

GOOD = {"contacts.csv": csv_bytes(contacts(2))}
#: the same rows in another tool's shape: renamed columns, its own channel names
SOURCE = {"tickets.csv": csv_bytes(
    [{"Ticket": r["contact_id"], "Client": r["customer_id"], "When": r["occurred_at"],
      "Medium": "Telephone", "Why": r["reason"], "handle_seconds": "60", "is_resolved": "true",
      "agent_id": ""} for r in contacts(2)])}
RENAMES = ('[contacts]\nfiles = ["tickets*.csv"]\n[contacts.columns]\nTicket = "contact_id"\n'
           'Client = "customer_id"\nWhen = "occurred_at"\nMedium = "channel"\nWhy = "reason"\n')


def bad(kind: str, mapping: str, words: tuple[str, ...], name: str = "mapping.toml") -> Case:
    """A mapping refused as a bad argument, naming ``words`` (the key, the file)."""
    return Case(kind, "mapping", GOOD, "bad-argument", (name, *words), mapping=mapping,
                mapping_name=name)


def good(kind: str, mapping: str, files=None, check=None, name: str = "mapping.toml",
         words=()) -> Case:
    return Case(kind, "mapping", files or GOOD, "loaded", tuple(words), mapping=mapping,
                mapping_name=name, check=check or row_count("contacts", "C900", 2))


CASES = [
    bad("values.channel is a number", "[contacts.values]\nchannel = 5\n",
        ("[contacts.values.channel]",)),
    bad("files is a number", "[contacts]\nfiles = 5\n", ("[contacts]", "files")),
    bad("files holds a list", "[contacts]\nfiles = [[1]]\n", ("files",)),
    bad("a scale with text", '[survey_responses.scales]\ncsat = [1, "x"]\n',
        ("[survey_responses.scales]", "csat")),
    bad("a scale of three numbers", "[survey_responses.scales]\ncsat = [1, 3, 5]\n",
        ("csat",)),
    bad("a scale upside down", "[survey_responses.scales]\ncsat = [5, 1]\n", ("csat",)),
    bad("a scale is a number", "[survey_responses.scales]\ncsat = 5\n", ("csat",)),
    bad("scales is a list", "[survey_responses]\nscales = [1, 5]\n", ("scales",)),
    bad("a list where a table is expected", "contacts = [1, 2]\n", ("[contacts]",)),
    bad("a text where a table is expected", 'contacts = "x"\n', ("[contacts]",)),
    bad("columns is a list", "[contacts]\ncolumns = [1]\n", ("[contacts.columns]",)),
    bad("values is a list", "[contacts]\nvalues = [1]\n", ("[contacts.values]",)),
    bad("a contract value is a list", '[contacts.values.channel]\nTelephone = [1]\n',
        ("[contacts.values.channel]", "Telephone")),
    bad("a contract value is a table", '[contacts.values.channel.Telephone]\nx = 1\n',
        ("[contacts.values.channel]",)),
    bad("an unknown table", "[tickets]\n", ("unknown table 'tickets'",)),
    bad("an unknown key", '[contacts]\nseparator = ";"\n', ("unknown key", "separator")),
    bad("columns map to an unknown column", '[contacts.columns]\nWhen = "happened_at"\n',
        ("[contacts.columns]", "happened_at")),
    bad("a column mapped to a number", "[contacts.columns]\nWhen = 5\n",
        ("[contacts.columns]",)),
    bad("timezone is a number", "[contacts]\ntimezone = 5\n", ("timezone",)),
    bad("an unknown timezone", '[contacts]\ntimezone = "Mars/Olympus"\n',
        ("unknown timezone", "Mars/Olympus")),
    bad("a timezone that is a path", '[contacts]\ntimezone = "../../etc/passwd"\n',
        ("unknown timezone",)),
    bad("date_format is a number", "[contacts]\ndate_format = 5\n", ("date_format",)),
    bad("date_format is blank", '[contacts]\ndate_format = " "\n', ("date_format",)),
    bad("an unknown decimal mark", '[contacts]\ndecimal = "x"\n', ("decimal",)),
    bad("decimal is a list", '[contacts]\ndecimal = [","]\n', ("decimal",)),
    bad("thousands equal to the decimal", '[contacts]\ndecimal = ","\nthousands = ","\n',
        ("thousands",)),
    bad("combine is a number", "[contacts]\ncombine = 5\n", ("[contacts.combine]",)),
    bad("combine of one column", '[contacts.combine]\noccurred_at = ["Date"]\n',
        ("[contacts.combine]", "occurred_at")),
    bad("combine into an unknown column", '[contacts.combine]\nwhen = ["Date", "Time"]\n',
        ("[contacts.combine]", "when")),
    bad("combine and columns make one column",
        '[contacts.columns]\nWhen = "occurred_at"\n[contacts.combine]\n'
        'occurred_at = ["Date", "Time"]\n', ("make it one way",)),
    bad("a default for the key", '[contacts.defaults]\ncontact_id = "1"\n',
        ("[contacts.defaults]", "contact_id")),
    bad("a default for an unknown column", '[contacts.defaults]\nqueue = "B2"\n',
        ("[contacts.defaults]", "queue")),
    bad("a default that is a list", "[contacts.defaults]\nagent_id = [1]\n",
        ("[contacts.defaults]", "agent_id")),
    bad("a default that breaks its rule", '[contacts.defaults]\nchannel = "fax"\n',
        ("[contacts.defaults]", "channel")),
    bad("not TOML", "[contacts\ncolumns = \n", ("mapping.toml",)),
    bad("not YAML", "contacts: {columns: [\n", ("mapping.yaml",), name="mapping.yaml"),
    bad("YAML: a list at the top", "- contacts\n- customers\n", ("section per table",),
        name="mapping.yaml"),
    bad("YAML: a table that is null", "contacts:\n", ("[contacts]",), name="mapping.yaml"),
    bad("YAML: a table that is a list", "contacts: [1, 2]\n", ("[contacts]",),
        name="mapping.yml"),
    bad("YAML: a number as a table name", "5: {}\n", ("unknown table 5",),
        name="mapping.yaml"),
    # written with surrogateescape: \udce9 is the byte 0xE9 (Latin-1 é), not UTF-8
    bad("a mapping that is not UTF-8", '[contacts]\nfiles = "caf\udce9"\n', ("utf-8",)),
    good("an empty mapping", ""),
    good("renamed columns and mapped values",
         RENAMES + '[contacts.values.channel]\nTelephone = "phone"\n', files=SOURCE,
         check=stored_as("contacts", "channel", "C9001", "phone")),
    good("a YAML mapping", "contacts:\n  columns: {Ticket: contact_id, Client: customer_id,"
         " When: occurred_at, Medium: channel, Why: reason}\n  files: ['tickets*.csv']\n"
         "  values: {channel: {Telephone: phone}}\n", files=SOURCE, name="mapping.yaml"),
    good("a default for a missing column", '[contacts.defaults]\nagent_id = "A7"\n',
         files={"contacts.csv": csv_bytes([{k: v for k, v in contact(i).items()
                                             if k != "agent_id"} for i in (1, 2)])},
         check=stored_as("contacts", "agent_id", "C9002", "A7")),
    Case("combine names a column the file lacks", "mapping", GOOD, "refused",
         ("[contacts.combine]", "Date"),
         mapping='[contacts.combine]\noccurred_at = ["Date", "Time"]\n'),
]
