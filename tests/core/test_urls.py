import pytest

from shop.urls import local_path


@pytest.mark.parametrize("target", ["/", "/produk?hal=2", "/pesanan/abc#x"])
def test_paths_on_this_site_are_kept(target):
    assert local_path(target) == target


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "produk",
        "//evil.example/x",
        "https://evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "http:/x",
    ],
)
def test_anything_that_could_leave_the_site_is_refused(target):
    assert local_path(target) is None


def test_language_switch_never_redirects_off_site(client):
    response = client.get("/lang/en?next=//evil.example/x")
    assert response.status_code == 303 and response.location == "/"
    assert client.get("/lang/en?next=/produk?hal=2").location == "/produk?hal=2"
