def test_home_page_renders_in_indonesian(page):
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "id"
    assert page.locator("a.brand").inner_text().strip().endswith("Karya Binaan")
