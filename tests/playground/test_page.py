"""The page in a real browser (Debian's Chromium through Playwright), against a live server."""
import time

import glassnet as gn

PLAYGROUND = "window.glassnetPlayground"


def open_page(page, server, token, fragment=""):
    page.goto(f"{server}/?token={token}{fragment}")
    page.wait_for_function(f"{PLAYGROUND}.states > 0")


def wait_shape(page, shape):
    page.wait_for_function(f"{PLAYGROUND}.layout && {PLAYGROUND}.settings.networkShape.join() === '{shape}'"
                           f" && {PLAYGROUND}.latest.weights.length === {len(shape.split(',')) + 1 if shape else 1}")


def heatmap(page) -> str:
    return page.evaluate("document.getElementById('heatmap').toDataURL()")


def test_spiral_trains_live_to_a_low_test_loss(page, server, token, shots):
    open_page(page, server, token)
    page.click("[data-dataset=spiral]")
    page.wait_for_function(f"{PLAYGROUND}.settings.dataset === 'spiral'")
    for _ in range(2):  # from the default 4-2 to no hidden layer, then add two and widen them to 8
        page.click("#remove-layer")
        wait_shape(page, "4" if _ == 0 else "")
    for shape in ("2", "2,2"):
        page.click("#add-layer")
        wait_shape(page, shape)
    for layer in (0, 1):
        for width in range(3, 9):
            page.click(f".add-neuron[data-layer='{layer}']")
            wait_shape(page, f"{width},2" if layer == 0 else f"8,{width}")
    page.select_option("#optimizer", "adam")
    page.wait_for_function(f"{PLAYGROUND}.settings.optimizer === 'adam'")
    page.select_option("#learningRate", "0.01")
    page.wait_for_function(f"{PLAYGROUND}.settings.learningRate === 0.01")
    assert page.inner_text("#layer-count") == "2"
    before, states = heatmap(page), page.evaluate(f"{PLAYGROUND}.states")
    page.click("#play-pause")
    start = time.monotonic()
    page.wait_for_function("Number(document.getElementById('loss-test').dataset.value) < 0.05", timeout=60_000)
    seconds = time.monotonic() - start
    rate = (page.evaluate(f"{PLAYGROUND}.states") - states) / seconds
    epoch = page.evaluate(f"{PLAYGROUND}.latest.epoch")
    figure = f"spiral 8-8 tanh, Adam 0.01: test loss < 0.05 after {seconds:.1f} s, epoch {epoch}, {rate:.1f} page updates/s"
    print(figure)
    with open(shots / "measurements.txt", "a") as log:
        log.write(figure + "\n")
    page.screenshot(path=str(shots / "spiral_trained.png"), full_page=True)
    assert rate >= 5
    assert heatmap(page) != before
    page.click("#play-pause")
    page.wait_for_function(f"!{PLAYGROUND}.playing")
    # the decision-boundary timeline replays earlier epochs
    assert page.evaluate(f"{PLAYGROUND}.frames.length") > 2
    page.fill("#timeline", "0")
    page.dispatch_event("#timeline", "input")
    assert page.inner_text("#timeline-epoch").startswith("epoch ")
    page.screenshot(path=str(shots / "spiral_timeline_start.png"), full_page=True)
    assert not page.errors


def test_url_settings_are_reflected_and_kept_in_the_url(page, server, token, shots):
    open_page(page, server, token, "#dataset=xor&activation=relu&learningRate=0.3&networkShape=3,5,2&sinX=true"
                            "&showTestData=true&optimizer=rmsprop&regularization=L2&regularizationRate=0.003")
    wait_shape(page, "3,5,2")
    assert page.input_value("#activation") == "relu" and page.input_value("#optimizer") == "rmsprop"
    assert float(page.input_value("#learningRate")) == 0.3 and page.input_value("#regularization") == "L2"
    assert page.is_checked("#showTestData") and page.is_visible("#alpha") and not page.is_visible("#beta1")
    assert page.inner_text("#layer-count") == "3" and "selected" in page.get_attribute("[data-dataset=xor]", "class")
    assert page.locator(".node.neuron").count() == 10
    assert page.locator("[data-feature=sinX] canvas.off").count() == 0
    assert page.locator("[data-feature=sinY] canvas.off").count() == 1
    page.select_option("#activation", "sigmoid")
    page.wait_for_function("location.hash.includes('activation=sigmoid')")
    assert "networkShape=3%2C5%2C2" in page.evaluate("location.hash")
    # a weight edited by clicking its link
    x, y = page.evaluate('''() => {
        const path = document.querySelector("#links path[data-layer='1'][data-to='2'][data-from='1']");
        const point = path.getPointAtLength(path.getTotalLength() * 0.1), box = path.ownerSVGElement.getBoundingClientRect();
        return [box.left + point.x, box.top + point.y]; }''')
    page.mouse.click(x, y)
    page.fill("#weight-value", "1.25")
    page.press("#weight-value", "Enter")
    link = page.evaluate("({...document.getElementById('weight-editor').dataset})")
    page.wait_for_function(f"{PLAYGROUND}.latest.weights[{link['layer']}][{link['to']}][{link['from']}] === 1.25")
    page.screenshot(path=str(shots / "url_settings.png"), full_page=True)
    # a bad URL is refused with a clear message, and the page goes on with its settings
    page.goto("about:blank")  # a new load, not only a new fragment
    open_page(page, server, token, "#learningRate=abc&networkShape=1,1,1,1,1,1,1,1,1,1")
    page.wait_for_selector("#message:not([hidden])")
    assert "must be a number, got 'abc'" in page.inner_text("#message")
    assert page.evaluate(f"{PLAYGROUND}.settings.learningRate") == 0.03
    assert not page.errors


def test_csv_upload(page, server, token, shots, tmp_path):
    open_page(page, server, token)
    rows = ["x1,x2,label"] + [f"{x / 10},{(x * 7 % 13) / 10},{int(x > 0)}" for x in range(-40, 40)]
    (tmp_path / "mine.csv").write_text("\n".join(rows))
    page.set_input_files("#csv-file", str(tmp_path / "mine.csv"))
    page.wait_for_function(f"{PLAYGROUND}.settings.dataset === 'upload'")
    assert "uploaded 80 points (classification" in page.inner_text("#message")
    assert page.evaluate(f"{PLAYGROUND}.layout.train.length + {PLAYGROUND}.layout.test.length") == 80
    page.click("#step-button")
    page.wait_for_function(f"{PLAYGROUND}.latest.epoch === 1")
    page.screenshot(path=str(shots / "csv_upload.png"), full_page=True)
    (tmp_path / "big.csv").write_bytes(b"0,0,1\n" * 200_000)
    page.set_input_files("#csv-file", str(tmp_path / "big.csv"))
    page.wait_for_function("document.getElementById('message').textContent.includes('the limit is')")
    (tmp_path / "bad.csv").write_text("x1,x2,label\n1,2\n3,4\n5,6\n7,8\n")
    page.set_input_files("#csv-file", str(tmp_path / "bad.csv"))
    page.wait_for_function("document.getElementById('message').textContent.includes('upload refused')")
    assert "expected three numbers" in page.inner_text("#message")
    assert not page.errors


def test_export_python_code_and_glassnet_file(page, server, token, tmp_path):
    open_page(page, server, token, "#dataset=gauss&networkShape=3")
    wait_shape(page, "3")
    page.click("#step-button")
    page.wait_for_function(f"{PLAYGROUND}.latest.epoch === 1")
    with page.expect_download() as download:
        page.click("#export-py")
    code = (tmp_path / "model.py")
    download.value.save_as(code)
    assert "nn.Linear(2, 3), nn.Tanh()," in code.read_text() and "make_gaussian(500" in code.read_text()
    with page.expect_download() as download:
        page.click("#export-gn")
    download.value.save_as(tmp_path / "model.gn")
    model, metadata = gn.load(tmp_path / "model.gn", with_metadata=True)
    weights = page.evaluate(f"{PLAYGROUND}.latest.weights[0]")
    assert abs(model.state_dict()["0.weight"][0][0] - weights[0][0]) < 1e-3
    assert metadata["playground"]["dataset"] == "gauss" and metadata["features"] == ["x", "y"]
    assert isinstance(model[1], gn.nn.Tanh) and model(gn.tensor([[1.0, 2.0]])).shape == (1, 1)


def test_tabs_are_isolated_and_closing_one_frees_its_session(browser, server, token, shots):
    import httpx

    sessions = lambda: httpx.get(server + "/api/status").json()["sessions"]
    before = sessions()
    contexts = [browser.new_context(viewport={"width": 1300, "height": 900}) for _ in range(3)]
    pages = [context.new_page() for context in contexts]
    for page, dataset in zip(pages, ("circle", "xor", "blobs")):
        open_page(page, server, token, f"#dataset={dataset}")
        page.wait_for_function(f"{PLAYGROUND}.settings.dataset === '{dataset}'")
        page.click("#play-pause")
    assert sessions() == before + 3
    counts = [page.evaluate(f"{PLAYGROUND}.states") for page in pages]
    time.sleep(3)
    assert all(page.evaluate(f"{PLAYGROUND}.states") > count + 5 for page, count in zip(pages, counts))
    assert [page.evaluate(f"{PLAYGROUND}.layout.problem") for page in pages] == ["classification"] * 2 + ["multiclass"]
    pages[2].screenshot(path=str(shots / "blobs_multiclass.png"), full_page=True)
    for context in contexts:
        context.close()
    deadline = time.monotonic() + 10
    while sessions() != before:
        assert time.monotonic() < deadline, "closing the tabs did not end their sessions"
        time.sleep(0.1)


def test_a_diverging_network_shows_diverged_and_why(page, server, token, shots):
    open_page(page, server, token, "#dataset=reg-gauss&activation=relu&learningRate=10&networkShape=8,8,8")
    wait_shape(page, "8,8,8")
    page.click("#play-pause")
    page.wait_for_function("document.getElementById('loss-train').textContent === 'diverged'", timeout=30_000)
    assert "training diverged" in page.inner_text("#message") and "lower the learning rate" in page.inner_text("#message")
    page.wait_for_function(f"!{PLAYGROUND}.playing")  # the server stopped it
    page.screenshot(path=str(shots / "diverged.png"), full_page=True)
    page.click("#reset-button")
    page.wait_for_function("document.getElementById('loss-train').textContent !== 'diverged'")
    assert not page.errors


def test_without_its_token_the_page_says_where_to_find_it(page, server):
    page.goto(f"{server}/")
    page.wait_for_selector("#message:not([hidden])")
    assert "no token" in page.inner_text("#message")
    page.goto(f"{server}/?token=wrong")
    page.wait_for_function("document.getElementById('message').textContent.includes('refused')")
    assert not page.errors
