"""People: invitations, disabling, unlocking, resets and moves, each audited once."""

from __future__ import annotations

import re
from datetime import timedelta

from factories import make_facility
from sqlalchemy import select
from staff_helpers import PASSWORD, csrf_token, make_user, sign_in

from shop.accounts import services as accounts
from shop.accounts.models import User
from shop.audit.models import AuditEntry
from shop.extensions import db
from shop.mail.models import OutboxMessage
from shop.sqltypes import utcnow


def _audit(action: str) -> list[AuditEntry]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def _mail(kind: str) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
        )
    )


def _invite(admin, **data):
    token = csrf_token(admin, "/admin/orang/baru")
    return admin.post("/admin/orang/baru", data={"csrf_token": token, **data})


def test_invite_link_sets_a_password_and_signs_in(app, admin):
    facility = make_facility(name="Rutan Kelas IIB Ende")
    db.session.commit()
    response = _invite(
        admin, email="Sari@Rutan.test", name="Sari", role="staff", facility_id=facility.id
    )
    assert response.status_code == 303
    user = db.session.scalar(select(User).where(User.email == "sari@rutan.test"))
    assert user.facility_id == facility.id and user.role == "staff"
    (entry,) = _audit("user.create")
    assert entry.before == {}
    assert entry.after == {
        "email": "sari@rutan.test",
        "name": "Sari",
        "role": "staff",
        "facility_id": facility.id,
        "active": True,
    }

    (mail,) = _mail("account_invite")
    assert mail.to_addr == "sari@rutan.test"
    assert "Halo Sari" in mail.text_body  # Indonesian by default
    (link,) = re.findall(r"http://shop\.test(/akun/undangan/\S+)", mail.text_body)

    visitor = app.test_client()
    page = visitor.get(link)
    assert page.status_code == 200 and "Pilih kata sandi" in page.get_data(as_text=True)
    new_password = "songket ende lio 2026"
    response = visitor.post(
        link,
        data={
            "csrf_token": csrf_token(visitor, link),
            "new_password": new_password,
            "confirm": new_password,
        },
    )
    assert response.status_code == 303 and response.location.endswith("/dasbor/")
    dashboard = visitor.get("/dasbor/")
    assert dashboard.status_code == 200
    assert "Rutan Kelas IIB Ende" in dashboard.get_data(as_text=True)
    # The link worked once; the password works from now on.
    reused = app.test_client().get(link)
    assert reused.status_code == 400
    assert "Undangan ini sudah kedaluwarsa atau sudah dipakai." in reused.get_data(as_text=True)
    assert sign_in(app.test_client(), "sari@rutan.test", new_password).status_code == 303


def test_invite_errors_re_render_the_form_with_the_input(app, admin):
    taken = make_user(role="admin")
    db.session.commit()
    response = _invite(admin, email=taken.email, name="Dua", role="admin", facility_id="")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Sudah ada akun dengan email ini." in html
    assert f'value="{taken.email}"' in html
    response = _invite(admin, email="baru@lapas.test", role="staff", facility_id="")
    assert response.status_code == 400
    assert "Staf terikat pada satu fasilitas: pilih salah satu." in response.get_data(as_text=True)
    response = _invite(admin, email="baru@lapas.test", role="staff", facility_id="999999999")
    assert response.status_code == 400
    assert _audit("user.create") == [] and _mail("account_invite") == []


def _act(admin, user_id: int, what: str):
    path = f"/admin/orang/{user_id}"
    return admin.post(f"{path}/{what}", data={"csrf_token": csrf_token(admin, path)})


def test_a_disabled_account_is_signed_out_and_can_be_enabled_again(app, admin):
    user = make_user()
    db.session.commit()
    staff = app.test_client()
    assert sign_in(staff, user.email).status_code == 303
    assert staff.get("/dasbor/").status_code == 200

    response = _act(admin, user.id, "nonaktifkan")
    assert response.status_code == 303
    assert "dinonaktifkan" in admin.get(response.location).get_data(as_text=True)
    # The session that was open ends at its next request.
    response = staff.get("/dasbor/")
    assert response.status_code == 302 and "/masuk" in response.location
    assert sign_in(app.test_client(), user.email).status_code == 401
    (entry,) = _audit("user.disable")
    assert (entry.before, entry.after) == ({"active": True}, {"active": False})

    assert _act(admin, user.id, "aktifkan").status_code == 303
    assert sign_in(app.test_client(), user.email).status_code == 303
    (entry,) = _audit("user.enable")
    assert (entry.before, entry.after) == ({"active": False}, {"active": True})


def test_an_admin_cannot_disable_themself(app, admin, admin_user):
    response = _act(admin, admin_user.id, "nonaktifkan")
    assert response.status_code == 303
    html = admin.get(response.location).get_data(as_text=True)
    assert "Anda tidak dapat menonaktifkan akun Anda sendiri." in html
    db.session.expire_all()
    assert db.session.get(User, admin_user.id).active
    assert _audit("user.disable") == []
    assert admin.get("/admin/").status_code == 200  # still signed in


def test_unlock_after_lockout(app, admin):
    user = make_user()
    user.failed_logins = 0
    user.locked_until = utcnow() + timedelta(minutes=10)
    db.session.commit()
    assert sign_in(app.test_client(), user.email).status_code == 401
    page = admin.get(f"/admin/orang/{user.id}").get_data(as_text=True)
    assert "Dikunci" in page
    assert _act(admin, user.id, "buka-kunci").status_code == 303
    assert sign_in(app.test_client(), user.email).status_code == 303
    (entry,) = _audit("user.unlock")
    assert entry.before["locked_until"] is not None
    assert entry.after == {"failed_logins": 0, "locked_until": None}


def test_admin_sends_a_password_reset_link(app, admin):
    user = make_user()
    user.last_login_at = utcnow()
    db.session.commit()
    assert _act(admin, user.id, "atur-ulang-sandi").status_code == 303
    (mail,) = _mail("password_reset")
    assert mail.to_addr == user.email
    (link,) = re.findall(r"http://shop\.test(/akun/atur-ulang/\S+)", mail.text_body)
    assert app.test_client().get(link).status_code == 200
    (entry,) = _audit("user.reset_sent")
    assert entry.object_id == user.id and entry.after == {"reset_sent_to": user.email}


def test_change_facility(app, admin):
    home, other = make_facility(), make_facility(name="Lapas Kelas I Makassar")
    user = make_user(home)
    db.session.commit()
    path = f"/admin/orang/{user.id}"
    response = admin.post(
        f"{path}/fasilitas", data={"csrf_token": csrf_token(admin, path), "facility_id": other.id}
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(User, user.id).facility_id == other.id
    (entry,) = _audit("user.facility")
    assert (entry.before, entry.after) == ({"facility_id": home.id}, {"facility_id": other.id})
    response = admin.post(
        f"{path}/fasilitas", data={"csrf_token": csrf_token(admin, path), "facility_id": "x"}
    )
    assert response.status_code == 400
    assert "Pilih fasilitas." in response.get_data(as_text=True)


def test_people_list_shows_role_facility_status_and_last_sign_in(app, admin, admin_user):
    facility = make_facility(name="LPKA Kelas I Kutoarjo")
    staff = make_user(facility, email="guru@lpka.test")
    disabled = make_user(facility, email="lama@lpka.test")
    accounts.set_active(disabled, False)
    db.session.commit()
    sign_in(app.test_client(), staff.email, PASSWORD)
    html = admin.get("/admin/orang").get_data(as_text=True)
    row = html[html.index("guru@lpka.test") :].split("</tr>")[0]
    assert "Staf fasilitas" in row and "LPKA Kelas I Kutoarjo" in row
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", row)
    row = html[html.index("lama@lpka.test") :].split("</tr>")[0]
    assert "Nonaktif" in row and "belum pernah" in row
    assert admin_user.email in admin.get("/admin/orang?peran=admin").get_data(as_text=True)
    assert "guru@lpka.test" not in admin.get("/admin/orang?peran=admin").get_data(as_text=True)


def test_people_pages_in_english_and_hostile_ids(app, admin):
    user = make_user()
    db.session.commit()
    html = admin.get(f"/admin/orang/{user.id}", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    assert "Email the invitation again" in html and "Change facility" in html
    html = admin.get("/admin/orang", headers={"Accept-Language": "id"}).get_data(as_text=True)
    assert "Kirim tautan" not in html and "Akun baru" in html
    for ident in ("999999999", "99999999999999999999"):
        assert admin.get(f"/admin/orang/{ident}").status_code == 404


def test_an_account_that_never_signed_in_gets_its_invitation_again(app, admin):
    user = make_user()
    db.session.commit()
    assert "Kirim ulang undangan" in admin.get(f"/admin/orang/{user.id}").get_data(as_text=True)
    assert _act(admin, user.id, "atur-ulang-sandi").status_code == 303
    (mail,) = _mail("account_invite")
    (link,) = re.findall(r"http://shop\.test(/akun/undangan/\S+)", mail.text_body)
    assert app.test_client().get(link).status_code == 200
    (entry,) = _audit("user.invite_sent")
    assert entry.after == {"invite_sent_to": user.email}
    assert _mail("password_reset") == []
