from factories import make_facility

from shop.accounts import services
from shop.accounts.models import User
from shop.extensions import db


def test_create_staff_with_password_from_stdin(runner):
    facility = make_facility(slug="lapas-banyuwangi")
    db.session.commit()
    result = runner.invoke(
        args=[
            "create-user",
            "--email",
            "Siti@Lapas.test",
            "--role",
            "staff",
            "--facility",
            "lapas-banyuwangi",
        ],
        input="kata sandi panjang\n",
    )
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    user = db.session.scalar(db.select(User).where(User.email == "siti@lapas.test"))
    assert user.facility_id == facility.id and user.role == "staff"
    assert services.verify_password(user, "kata sandi panjang")


def test_create_admin(runner):
    result = runner.invoke(
        args=["create-user", "--email", "admin@kb.test", "--role", "admin"],
        input="kata sandi panjang\n",
    )
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.scalar(db.select(User.role).where(User.email == "admin@kb.test")) == "admin"


def test_create_user_refusals(runner):
    make_facility(slug="lapas-a")
    db.session.commit()
    cases = [
        (["--role", "staff"], "need --facility"),
        (["--role", "staff", "--facility", "nope"], "no facility"),
        (["--role", "admin", "--facility", "lapas-a"], "do not belong"),
    ]
    for extra, message in cases:
        result = runner.invoke(args=["create-user", "--email", "x@y.z", *extra], input="p" * 12)
        assert result.exit_code != 0 and message in result.output
    short = runner.invoke(
        args=["create-user", "--email", "x@y.z", "--role", "admin"], input="pendek\n"
    )
    assert short.exit_code != 0 and "at least 10" in short.output
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0
