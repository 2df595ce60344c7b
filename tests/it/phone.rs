//! The default theme on a phone (390×844 CSS pixels, in headless Chromium): pages fit the screen,
//! read at a comfortable size, and a module's checklist keeps its ticks on the device.

use crate::cdp::Browser;
use crate::harness::{Project, serve};

#[test]
fn a_module_page_fits_a_phone_and_reads_comfortably() {
    let p = Project::sample();
    p.build().assert_ok();
    let server = serve(p.out());
    let mut b = Browser::launch(390, 844);
    // This module has wide tables: they scroll in their own box, the page does not.
    b.goto(&server.url("landak/modul/logistik-pemilihan/"));
    assert!(b.eval("document.querySelectorAll('.table-wrap table').length").as_u64().unwrap() > 0);
    assert_eq!(b.eval("document.documentElement.scrollWidth <= window.innerWidth"), true);
    assert!(
        b.eval("parseFloat(getComputedStyle(document.querySelector('.prose p')).fontSize)").as_f64().unwrap() >= 16.0
    );
    // Every link of the navigation is a finger-sized target.
    let smallest = b.eval(
        "Math.min.apply(null, [].map.call(document.querySelectorAll('.nav a, .pager a, .toc a, .breadcrumb a'), \
         function (a) { return a.getBoundingClientRect().height; }))",
    );
    assert!(smallest.as_f64().unwrap() >= 40.0, "{smallest}");
    assert!(b.errors.is_empty(), "{:?}", b.errors);
}

#[test]
fn a_checklist_keeps_its_ticks_across_a_reload_until_cleared() {
    let p = Project::fixture("basic");
    p.edit(
        "content/modules/etika.md",
        "## Netralitas",
        "## Netralitas\n\n- [ ] Periksa segel kotak suara\n- [ ] Hitung surat suara\n- [x] Ikut bimtek\n",
    );
    p.build().assert_ok();
    let server = serve(p.out());
    let mut b = Browser::launch(390, 844);
    let page = server.url("beta/modul/etika/");
    let ticks = "[].map.call(document.querySelectorAll('.task input'), function (i) { return i.checked; })";
    let progress = "document.querySelector('.checklist-progress').textContent";
    b.goto(&page);
    b.wait_for("!document.querySelector('.checklist-bar').hidden");
    assert_eq!(b.eval(progress), "1 dari 3 selesai");
    // Tapping the words ticks the box: the label is the whole line.
    b.tap(".task");
    assert_eq!(b.eval(ticks), serde_json::json!([true, false, true]));
    assert_eq!(b.eval(progress), "2 dari 3 selesai");
    b.goto(&page);
    b.wait_for("!document.querySelector('.checklist-bar').hidden");
    assert_eq!(b.eval(ticks), serde_json::json!([true, false, true]));
    // Clearing goes back to the boxes as written, and stays so.
    b.tap(".checklist-reset");
    assert_eq!(b.eval(ticks), serde_json::json!([false, false, true]));
    b.goto(&page);
    b.wait_for("!document.querySelector('.checklist-bar').hidden");
    assert_eq!(b.eval(ticks), serde_json::json!([false, false, true]));
    assert_eq!(b.eval("Object.keys(localStorage).join()"), "");
    assert!(b.errors.is_empty(), "{:?}", b.errors);
}

#[test]
fn a_module_prints_as_a_handout_without_navigation() {
    let p = Project::sample();
    p.build().assert_ok();
    let server = serve(p.out());
    let mut b = Browser::launch(390, 844);
    b.goto(&server.url("landak/modul/kode-etik-netralitas/"));
    b.call("Emulation.setEmulatedMedia", serde_json::json!({"media": "print"}));
    let shown = |b: &mut Browser, css: &str| {
        b.eval(&format!(
            "[].filter.call(document.querySelectorAll({css:?}), function (e) {{ return e.getClientRects().length > 0; }}).length"
        ))
        .as_u64()
        .unwrap()
    };
    for hidden in [".site-header nav", ".pager", ".site-footer", ".breadcrumb", ".checklist-bar", ".skip"] {
        assert_eq!(shown(&mut b, hidden), 0, "{hidden} is printed");
    }
    assert!(shown(&mut b, ".prose h2") > 2);
    // The checklist prints as empty boxes to tick by pen, even when ticked on the phone.
    b.eval("document.querySelector('.task input').checked = true");
    assert_eq!(b.eval("getComputedStyle(document.querySelector('.task input')).appearance"), "none");
    assert_eq!(b.eval("getComputedStyle(document.body).backgroundColor"), "rgb(255, 255, 255)");
    // The handout itself, for people to look at: target/tmp/handout.pdf.
    let pdf = b.call("Page.printToPDF", serde_json::json!({"paperWidth": 8.27, "paperHeight": 11.69}));
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD.decode(pdf["data"].as_str().unwrap()).unwrap();
    assert!(bytes.starts_with(b"%PDF"));
    std::fs::write(std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("handout.pdf"), bytes).unwrap();
}
