import pytest
from django.core.management import CommandError, call_command

from accounts.models import Organisatie, User

pytestmark = pytest.mark.django_db


def test_it_creates_two_organisations_with_every_role(capsys):
    call_command("demo", force=True)
    assert Organisatie.objects.count() == 2
    for organisatie in Organisatie.objects.all():
        users = organisatie.users.all()
        assert {u.rol for u in users} == {User.Rol.COORDINATOR, User.Rol.VRIJWILLIG_COORDINATOR, ""}
        assert any(u.is_beheerder and not u.rol for u in users)
        assert all(u.check_password("steungezin-demo") for u in users)
    output = capsys.readouterr().out
    assert "coordinator@humanitas.demo" in output
    assert "steungezin-demo" in output


def test_it_is_safe_to_run_twice():
    call_command("demo", force=True)
    names = sorted(User.objects.values_list("email", "first_name", "last_name"))
    call_command("demo", force=True)
    assert sorted(User.objects.values_list("email", "first_name", "last_name")) == names


def test_it_refuses_to_run_without_debug():
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo")
    assert not User.objects.exists()
