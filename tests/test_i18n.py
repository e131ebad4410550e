"""English is available next to the default Simplified Chinese: the catalogue is
complete and compiled, pages follow Accept-Language and the language switcher,
and refusals (总量熔断) carry their numbers in English."""

import gettext as gnu_gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from approvals import services
from approvals.models import State
from tests.factory import People, reload

LOCALE_DIR = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PO = LOCALE_DIR / "django.po"
MO = LOCALE_DIR / "django.mo"

pytestmark = pytest.mark.skipif(
    not MO.exists(),
    reason=f"{MO.relative_to(settings.BASE_DIR)} is not compiled: run `make setup` "
    "(or `manage.py compilemessages --locale en`) first",
)

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


# --- the catalogue ----------------------------------------------------------------

def _unquote(line: str) -> str:
    body = line[line.index('"') + 1 : line.rindex('"')]
    return re.sub(r'\\(.)', lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)


def _po_entries():
    """(flags, msgid, msgid_plural, [msgstr...]) for every entry except the header."""
    entries = []
    for block in PO.read_text(encoding="utf-8").split("\n\n"):
        flags, fields, current = set(), {}, None
        for line in block.splitlines():
            if line.startswith("#,"):
                flags |= {f.strip() for f in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                fields[current] += _unquote(line)
            elif line.strip():
                current = line.split(" ", 1)[0]
                fields[current] = _unquote(line)
        if "msgid" in fields and fields["msgid"]:
            strs = [v for k, v in sorted(fields.items()) if k.startswith("msgstr")]
            entries.append((flags, fields["msgid"], fields.get("msgid_plural"), strs))
    return entries


PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|\{[a-z_]*(?::[^}]*)?\}")


def test_every_entry_is_translated_and_none_is_fuzzy():
    entries = _po_entries()
    assert len(entries) > 200
    untranslated = [msgid for _, msgid, _, strs in entries if not all(strs)]
    fuzzy = [msgid for flags, msgid, _, _ in entries if "fuzzy" in flags]
    assert untranslated == [], "untranslated (run makemessages, then translate): %r" % untranslated
    assert fuzzy == [], "fuzzy entries are ignored at runtime: %r" % fuzzy


def test_translations_keep_every_placeholder():
    for _, msgid, plural, strs in _po_entries():
        wanted = sorted(PLACEHOLDER.findall(plural or msgid))
        for msgstr in strs:
            assert sorted(PLACEHOLDER.findall(msgstr)) == wanted, (msgid, msgstr)


def test_the_compiled_catalogue_is_up_to_date_with_the_po_file():
    with MO.open("rb") as fp:
        catalog = gnu_gettext.GNUTranslations(fp)._catalog
    stale = []
    for _, msgid, plural, strs in _po_entries():
        if plural is None:
            if catalog.get(msgid) != strs[0]:
                stale.append(msgid)
        elif [catalog.get((msgid, i)) for i in range(len(strs))] != strs:
            stale.append(msgid)
    assert stale == [], f"{MO.name} is older than {PO.name}: run `make setup`. Stale: {stale!r}"


# --- pages --------------------------------------------------------------------------

def test_the_login_page_is_chinese_by_default(client):
    page = client.get("/accounts/login/").content.decode()
    assert '<html lang="zh-hans">' in page
    assert "减负闸 · 登录" in page and "用户名" in page and "密码" in page


def test_the_login_page_is_english_when_the_browser_asks_for_it(client):
    response = client.get("/accounts/login/", **EN)
    assert response.status_code == 200 and response["Content-Language"] == "en"
    page = response.content.decode()
    assert '<html lang="en">' in page
    assert "Log in" in page and "Username" in page and "Password" in page
    assert "登录" not in page and "用户名" not in page


@pytest.mark.django_db
def test_the_dashboard_follows_the_language(client):
    people = People()
    client.force_login(people.clerk)
    chinese = client.get(f"/?year={people.year}").content.decode()
    assert "总量看板" in chinese and f"{people.year} 年度发文、会议总量" in chinese
    assert "已用 0 / 总量 5" in chinese

    english = client.get(f"/?year={people.year}", **EN).content.decode()
    assert '<html lang="en">' in english
    assert "Cap dashboard" in english and f"{people.year} annual caps for documents and meetings" in english
    assert "Used 0 / cap 5" in english and "Remaining" in english and "Normal" in english
    assert "Log out" in english and "Document/meeting requests" in english
    assert "总量看板" not in english and "剩余" not in english


@pytest.mark.django_db
def test_a_refused_submission_at_the_cap_is_explained_in_english(client):
    people = People()
    for _ in range(5):
        people.submitted(people.document())
    p = people.document(title="第六份")
    client.force_login(people.clerk)
    response = client.post(f"/proposals/{p.pk}/submit/", {}, **EN)
    assert response.status_code == 409
    page = response.content.decode()
    assert "Could not proceed:" in page
    assert (f"江海市教育局, {people.year}: the Document cap is tripped — cap 5, "
            "5 reserved under review, 0 approved, 0 remaining.") in page
    assert "Cap 5, 5 reserved under review, 0 approved." in page
    assert "总量已熔断" not in page
    assert reload(p).state == State.DRAFT


@pytest.mark.django_db
def test_the_service_refusal_is_worded_in_the_active_language():
    people = People(cap=1)
    people.submitted(people.document())
    p = people.document(title="第二份")
    with translation.override("en"), pytest.raises(services.QuotaRefused) as refused:
        people.submitted(p)
    message = str(refused.value)
    assert message.startswith(f"江海市教育局, {people.year}: the Document cap is tripped — cap 1, 1 reserved")
    assert "emergency request" in message and "over-cap justification" in message

    with pytest.raises(services.QuotaRefused) as refused:
        people.submitted(p)
    assert f"{people.year} 年度发文总量已熔断：总量 1，审核中占用 1" in str(refused.value)


@pytest.mark.django_db
def test_the_language_switcher_sets_english_and_back(client):
    people = People()
    client.force_login(people.clerk)
    assert "总量看板" in client.get("/").content.decode()

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get("/").content.decode()
    assert '<html lang="en">' in page and "Cap dashboard" in page
    assert '<option value="en" selected>English</option>' in page

    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    page = client.get("/").content.decode()
    assert '<html lang="zh-hans">' in page and "总量看板" in page


def test_an_unknown_language_falls_back_to_chinese(client):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<html lang="zh-hans">' in page and "用户名" in page
