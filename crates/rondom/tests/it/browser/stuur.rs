use super::*;
use crate::stuur::{region, this_quarter};

/// A beleidsmedewerker filters the dashboard to one district and one quarter: the
/// filters stay in the URL, each chart shows exactly the figures of the table beneath
/// it, and the table downloads as CSV with the filters named.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_policy_officer_filters_to_a_district_and_a_quarter_and_exports_csv() {
    let app = TestApp::start(Backend::Sqlite).await;
    region(&app).await;
    let b = signed_in(&app, "beleid@gemeente.example").await;
    b.click("nav a[href='/stuurinformatie']").await;
    b.expect_contains("h1", "Gemeente Voorbeeld").await;

    // One quarter: the month fields hold its first and last month.
    let quarter = this_quarter();
    let (year, q) = quarter.split_once("-K").unwrap();
    let q: u32 = q.parse().unwrap();
    let (from, until) = (
        format!("{year}-{:02}", q * 3 - 2),
        format!("{year}-{:02}", q * 3),
    );
    b.client
        .execute(
            "document.querySelector('input[name=van]').value = arguments[0];\
             document.querySelector('input[name=tot]').value = arguments[1];",
            vec![from.clone().into(), until.clone().into()],
        )
        .await
        .unwrap();
    b.select("select[name=wijk]", "WK999901").await;
    b.click("form.filters button[type=submit]").await;
    b.expect_contains(".lead", "wijk Centrum").await;
    let url = b.client.current_url().await.unwrap().to_string();
    assert!(url.contains("wijk=WK999901"), "{url}");
    assert!(url.contains(&format!("van={from}")), "{url}");

    // Chart and table agree, cell by cell, for every chart on the page.
    let pairs = b
        .client
        .execute(
            "const out = [];\
             document.querySelectorAll('section.figure').forEach(s => {\
               const svg = s.querySelector('svg.chart'); if (!svg) return;\
               const values = [...svg.querySelectorAll('text.chart-value')].map(t => t.textContent.trim());\
               const labels = [...svg.querySelectorAll('text.chart-label')].map(t => t.textContent.trim());\
               const rows = [...s.querySelectorAll('table tbody tr')].map(r => [...r.children].map(c => c.textContent.trim()));\
               const series = svg.dataset.series.split(',').map(Number);\
               out.push({key: s.id, values, labels, rows, series});\
             });\
             return out;",
            vec![],
        )
        .await
        .unwrap();
    let charts = pairs.as_array().unwrap();
    assert!(charts.len() >= 5, "charts on the page: {}", charts.len());
    for c in charts {
        let rows: Vec<Vec<String>> = serde_json::from_value(c["rows"].clone()).unwrap();
        let labels: Vec<String> = serde_json::from_value(c["labels"].clone()).unwrap();
        let values: Vec<String> = serde_json::from_value(c["values"].clone()).unwrap();
        let series: Vec<usize> = serde_json::from_value(c["series"].clone()).unwrap();
        // Each bar's row is in the table, in the same order, and shows the bar's figure.
        assert!(
            !labels.is_empty() && labels.len() <= rows.len(),
            "{}",
            c["key"]
        );
        let per_row = values.len() / labels.len();
        let mut at = 0;
        for (i, label) in labels.iter().enumerate() {
            let k = rows[at..]
                .iter()
                .position(|r| &r[0] == label)
                .unwrap_or_else(|| panic!("{}: {label} is not a row of the table", c["key"]));
            let r = &rows[at + k];
            at += k + 1;
            for v in &values[i * per_row..(i + 1) * per_row] {
                assert!(
                    r[1..].contains(v),
                    "{}: chart shows {v}, row {r:?}",
                    c["key"]
                );
            }
        }
        // A row left out of the chart has nothing to draw in the columns drawn.
        for r in rows.iter().filter(|r| !labels.contains(&r[0])) {
            assert!(
                series
                    .iter()
                    .all(|i| ["–", "<5", "×"].contains(&r[*i].as_str())),
                "{}: {r:?} is missing from the chart",
                c["key"]
            );
        }
    }
    // In Centrum: 6 of practice A's children and the JGZ's 3 (under five, so "<5").
    b.expect_contains("[data-table=verwijzers]", "<5").await;

    // The CSV of the referrers' table, fetched as the link would download it.
    let href = b
        .wait_for("#verwijzers a[download]")
        .await
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    assert!(
        href.contains("wijk=WK999901") && href.contains("tabel=verwijzers"),
        "{href}"
    );
    let csv = b
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             fetch(arguments[0]).then(r => r.text()).then(done);",
            vec![href.into()],
        )
        .await
        .unwrap();
    let csv = csv.as_str().unwrap();
    assert!(csv.contains("wijk Centrum"), "{csv}");
    assert!(csv.contains("Jeugdarts (03);<5"), "{csv}");
    b.stop().await;
    app.stop().await;
}
