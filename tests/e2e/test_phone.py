"""Every page a buyer or staff member uses on a phone fits a 390 × 844 screen.

On each page: no horizontal scroll, and every control (link, button, field, menu) lies
inside the viewport and is not hidden behind another element or clipped by a scrolling
box. The bank-transfer confirmation keeps the account number on one line and offers
copy buttons for the amount and the account number.
"""

from __future__ import annotations

import re

import pytest
from e2e_helpers import fill_buyer_details
from factories import make_category, make_facility, make_product
from order_helpers import place
from playwright.sync_api import expect
from sqlalchemy import select
from staff_helpers import PASSWORD, make_user

from shop.extensions import db
from shop.orders.models import Order
from shop.payments.bank_transfer import confirm_bank_transfer
from shop.shipping.services import ensure_default_rates
from shop.uow import begin_write

PHONE = {"width": 390, "height": 844}

# What fails a phone: a page wider than the screen, a control outside it, a control
# clipped by a box that scrolls sideways, or one covered by another element.
LAYOUT_PROBLEMS = """
() => {
  const problems = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > innerWidth) {
    problems.push(`page is ${doc.scrollWidth} px wide on a ${innerWidth} px screen`);
  }
  const selector = 'a[href], button, input:not([type="hidden"]), select, textarea, summary';
  for (const el of document.querySelectorAll(selector)) {
    if (el.closest('.visually-hidden') || el.classList.contains('skip-link')) continue;
    // Not shown at all (hidden, in a closed menu): nothing to reach.
    if (!el.checkVisibility({visibilityProperty: true})) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    const name = (el.innerText || el.value || el.getAttribute('aria-label') || el.name
                  || el.outerHTML).trim().replace(/\\s+/g, ' ').slice(0, 60);
    if (box.left < -0.5 || box.right > innerWidth + 0.5) {
      const span = `${Math.round(box.left)}..${Math.round(box.right)}`;
      problems.push(`"${name}" is off-screen (x ${span})`);
      continue;
    }
    let clipped = false;
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX === 'visible') continue;
      const clip = up.getBoundingClientRect();
      if (box.left < clip.left - 0.5 || box.right > clip.right + 0.5) {
        problems.push(`"${name}" is clipped by .${up.className}`);
        clipped = true;
        break;
      }
    }
    if (clipped) continue;
    el.scrollIntoView({block: 'center', inline: 'nearest'});
    const now = el.getBoundingClientRect();
    const x = now.left + Math.min(now.width / 2, 8), y = now.top + now.height / 2;
    const hit = document.elementFromPoint(x, y);
    const label = el.labels && el.labels.length ? el.labels[0] : null;
    if (!hit || !(el.contains(hit) || hit.contains(el) || (label && label.contains(hit)))) {
      const cover = hit ? hit.tagName + '.' + hit.className : 'nothing';
      problems.push(`"${name}" is covered by ${cover}`);
    }
  }
  return problems;
}
"""

# How many lines an element's text takes (a range has one box per line fragment).
LINES_OF_TEXT = """
el => {
  const range = document.createRange();
  range.selectNodeContents(el);
  return new Set(Array.from(range.getClientRects(), r => Math.round(r.top))).size;
}
"""


@pytest.fixture
def phone(browser, live_server):
    # Not ``is_mobile``: mobile emulation zooms out to fit a page that is too wide, and
    # ``innerWidth`` would grow with it, hiding the very fault these tests look for.
    context = browser.new_context(
        base_url=live_server.url,
        locale="id-ID",
        viewport=PHONE,
        device_scale_factor=2,
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def assert_fits(page) -> None:
    problems = page.evaluate(LAYOUT_PROBLEMS)
    assert problems == [], f"{page.url}: {problems}"


def shop_with_long_names():
    ensure_default_rates()
    category = make_category(name_id="Kain", name_en="Cloth")
    java = make_facility(name="Lembaga Pemasyarakatan Kelas IIA Banyuwangi", province="Jawa Timur")
    batik = make_product(
        java,
        category,
        slug="batik-tulis-gajah-oling",
        name="Batik Tulis Gajah Oling Pewarna Alam Motif Kuno",
        price=1_450_000,
        on_hand=3,
        weight_grams=400,
    )
    tas = make_product(
        java,
        category,
        slug="tas-rotan-bundar",
        name="Tas Rotan Bundar Anyaman Tangan",
        price=175_000,
        on_hand=4,
        one_of_a_kind=False,
        weight_grams=700,
    )
    db.session.commit()
    return java, batik, tas


def test_buyer_pages_fit_a_phone_and_the_transfer_details_copy(phone):
    _facility, batik, tas = shop_with_long_names()
    page = phone
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])

    for product in (batik, tas):
        page.goto(f"/produk/{product.slug}")
        page.get_by_role("button", name="Tambah ke keranjang").click()
        page.wait_for_url("**/keranjang")
    assert page.locator(".cart-line").count() == 2
    assert_fits(page)
    remove = page.locator(".cart-line").first.get_by_role("button", name="Hapus")
    assert remove.is_visible()

    page.get_by_role("link", name="Checkout", exact=True).last.click()
    page.wait_for_url("**/checkout")
    assert_fits(page)
    fill_buyer_details(page)
    page.get_by_label("J&T Express").check()
    page.get_by_role("button", name="Lanjut ke ringkasan").click()
    page.wait_for_url("**/checkout/ringkasan")
    assert_fits(page)
    page.get_by_role("button", name="Buat pesanan").click()

    page.wait_for_url(re.compile(r".*/pesanan/[\w-]+\?baru=1$"))
    db.session.commit()  # a fresh snapshot of what the server committed
    order = db.session.execute(select(Order)).scalar_one()
    assert_fits(page)
    # The account number and the amount each stay on one line.
    account = page.locator("#bank-account")
    assert account.inner_text() == "0123-01-000456-30-7"
    assert account.evaluate(LINES_OF_TEXT) == 1
    assert page.locator("#amount-due").evaluate(LINES_OF_TEXT) == 1

    # Copy buttons next to the amount and the account number; each copies digits only.
    expect(page.get_by_role("button", name="Salin jumlah")).to_be_visible()
    expect(page.get_by_role("button", name="Salin nomor rekening")).to_be_visible()
    copy_amount, copy_account = page.locator("#copy-amount"), page.locator("#copy-account")
    copy_amount.click()
    expect(copy_amount).to_have_text("Tersalin")
    assert page.evaluate("navigator.clipboard.readText()") == str(order.amount_due)
    copy_account.click()
    expect(copy_account).to_have_text("Tersalin")
    expect(copy_amount).to_have_text("Salin jumlah")
    assert page.evaluate("navigator.clipboard.readText()") == "012301000456307"
    assert_fits(page)


def test_without_javascript_the_transfer_details_are_there_to_select(browser, live_server):
    _facility, batik, _tas = shop_with_long_names()
    order = place({batik.id: 1})
    context = browser.new_context(
        base_url=live_server.url, locale="id-ID", viewport=PHONE, java_script_enabled=False
    )
    try:
        page = context.new_page()
        page.goto(f"/pesanan/{order.public_token}")
        assert page.locator("#bank-account").inner_text() == "0123-01-000456-30-7"
        assert page.locator("#bank-account").evaluate("el => getComputedStyle(el).userSelect") != (
            "none"
        )
        # The copy buttons need the script: without it they are not offered.
        assert page.get_by_role("button", name="Salin jumlah").count() == 0
        assert page.get_by_role("button", name="Salin nomor rekening").count() == 0
    finally:
        context.close()


def _staff_with_orders():
    facility, batik, tas = shop_with_long_names()
    staff = make_user(facility)
    db.session.commit()
    for items in ({batik.id: 1}, {tas.id: 2}):
        order = place(items)
        begin_write()
        confirm_bank_transfer(order.id, order.amount_due, "admin:1", "BRI 123")
        db.session.commit()
    return staff


def test_dashboard_pages_fit_a_phone_with_a_compact_menu(phone):
    staff = _staff_with_orders()
    page = phone
    page.goto("/dasbor/")
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url("**/dasbor/")

    for path, heading in (
        ("/dasbor/", "Ringkasan"),
        ("/dasbor/produk", "Produk"),
        ("/dasbor/stok", "Stok"),
        ("/dasbor/pesanan", "Pesanan"),
    ):
        page.goto(path)
        assert_fits(page)
        # The menu leaves the page itself on the first screen: its heading shows
        # in the upper half of it.
        h1 = page.locator(".dash-main h1")
        assert heading in h1.inner_text()
        top = h1.evaluate("el => el.getBoundingClientRect().top + scrollY")
        assert top < PHONE["height"] / 2, f"{path}: the page starts {top} px down"

    # Every section is one tap away, and the open menu fits too.
    menu = page.locator(".dash-menu")
    menu.locator("summary").click()
    nav = page.get_by_role("navigation", name="Dasbor")
    for name in ("Ringkasan", "Pesanan", "Produk", "Stok", "Kata sandi"):
        assert nav.get_by_role("link", name=name, exact=True).is_visible()
    assert_fits(page)
    nav.get_by_role("link", name="Stok", exact=True).click()
    page.wait_for_url("**/dasbor/stok")


def test_dashboard_menu_works_without_javascript(browser, live_server):
    staff = _staff_with_orders()
    context = browser.new_context(
        base_url=live_server.url, locale="id-ID", viewport=PHONE, java_script_enabled=False
    )
    try:
        page = context.new_page()
        page.goto("/dasbor/pesanan")
        page.get_by_label("Email").fill(staff.email)
        page.get_by_label("Kata sandi").fill(PASSWORD)
        page.get_by_role("button", name="Masuk").click()
        page.wait_for_url("**/dasbor/pesanan")
        page.locator(".dash-menu summary").click()
        page.get_by_role("navigation", name="Dasbor").get_by_role(
            "link", name="Produk", exact=True
        ).click()
        page.wait_for_url("**/dasbor/produk")
    finally:
        context.close()

    # On a wide screen the same menu is an open sidebar, still without JavaScript.
    context = browser.new_context(
        base_url=live_server.url,
        locale="id-ID",
        viewport={"width": 1280, "height": 800},
        java_script_enabled=False,
    )
    try:
        page = context.new_page()
        page.goto("/dasbor/pesanan")
        page.get_by_label("Email").fill(staff.email)
        page.get_by_label("Kata sandi").fill(PASSWORD)
        page.get_by_role("button", name="Masuk").click()
        page.wait_for_url("**/dasbor/pesanan")
        assert not page.locator(".dash-menu summary").is_visible()
        nav = page.get_by_role("navigation", name="Dasbor")
        for name in ("Ringkasan", "Pesanan", "Produk", "Stok", "Kata sandi"):
            assert nav.get_by_role("link", name=name, exact=True).is_visible()
        assert page.get_by_role("button", name="Keluar").is_visible()
    finally:
        context.close()


def test_admin_pages_fit_a_phone_with_the_same_compact_menu(phone):
    _staff_with_orders()
    admin = make_user(role="admin")
    db.session.commit()
    page = phone
    page.goto("/admin/")
    page.get_by_label("Email").fill(admin.email)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url("**/admin/")

    for path, current in (
        ("/admin/", "Perlu ditangani"),
        ("/admin/pesanan", "Pesanan"),
        ("/admin/rekonsiliasi/pengecualian", "Pengecualian"),
        ("/admin/penyelesaian", "Penyelesaian"),
    ):
        page.goto(path)
        assert_fits(page)
        # Folded: the summary names the section, the page heading is on the first screen.
        expect(page.locator(".dash-menu summary")).to_have_text(f"Menu: {current}")
        top = page.locator(".dash-main h1").evaluate(
            "el => el.getBoundingClientRect().top + scrollY"
        )
        assert top < PHONE["height"] / 2, f"{path}: the page starts {top} px down"

    page.locator(".dash-menu summary").click()
    nav = page.get_by_role("navigation", name="Administrasi")
    for name in ("Transfer bank", "Mutasi rekening", "Kata sandi"):
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()
    assert_fits(page)
    nav.get_by_role("link", name="Mutasi rekening", exact=True).click()
    page.wait_for_url("**/admin/rekonsiliasi/")
