//! Stuurinformatie's pages: the dashboard (/stuurinformatie) with its filters in the URL,
//! a chart drawn on the server as SVG above each table (no script), a print view, and a
//! CSV of every table (/stuurinformatie/export.csv). The API under
//! /api/v1/stuurinformatie answers the same tables (`api::stuur`).

pub mod tables;
mod xlsx;

use crate::error::AppError;
use crate::extract::Query;
use crate::page::Page;
use crate::session::CurrentUser;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use rondom_app::stuur::{self, Audience, Filters, View};
use rondom_domain::catalogue::PROBLEM_AREAS;
use rondom_domain::stuur::AgeBand;
use serde::Deserialize;
use tables::{Chart, Table};

/// The filters as the URL carries them.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct FilterQuery {
    /// Organisation whose figures (a municipality, team or practice); the first one the
    /// person may read when left out.
    pub org: String,
    /// First month: yyyy-mm, or a quarter as yyyy-K1, or a year.
    pub van: String,
    /// Last month, the same way.
    pub tot: String,
    /// CBS district code (WK + 6).
    pub wijk: String,
    /// 0-3, 4-11, 12-17 or 18-22.
    pub leeftijd: String,
    /// A problem area of the catalogue.
    pub probleem: String,
    /// "maand": the trend per month (else per quarter).
    pub per: String,
    /// "afdruk": the print view.
    #[param(ignore)]
    pub weergave: String,
    /// Which table (export).
    #[param(ignore)]
    pub tabel: String,
}

impl FilterQuery {
    pub fn filters(&self) -> Filters {
        Filters {
            org: self.org.clone(),
            van: self.van.clone(),
            tot: self.tot.clone(),
            wijk: self.wijk.clone(),
            leeftijd: self.leeftijd.clone(),
            probleem: self.probleem.clone(),
            per: self.per.clone(),
        }
    }
}

/// The query string that keeps a view's filters (for links: export, print, another
/// organisation).
fn query_of(v: &View) -> String {
    let s = &v.selection;
    serde_urlencoded::to_string([
        ("org", v.audience.org_id.as_str()),
        ("van", &s.period.from_text()),
        ("tot", &s.period.until_text()),
        ("wijk", s.wijk.as_deref().unwrap_or("")),
        ("leeftijd", s.age.map(AgeBand::code).unwrap_or("")),
        ("probleem", s.area.as_deref().unwrap_or("")),
        ("per", if s.monthly { "maand" } else { "kwartaal" }),
    ])
    .unwrap_or_default()
}

/// One bar of a chart, placed.
pub struct Bar {
    pub y: u32,
    pub w: u32,
    pub class: &'static str,
    pub text: String,
    pub tx: u32,
}

pub struct ChartRow {
    pub label: String,
    pub y: u32,
    pub bars: Vec<Bar>,
}

pub struct ChartView {
    pub height: u32,
    /// The table's columns drawn, as "2,3" (a browser test reads them).
    pub series: String,
    pub rows: Vec<ChartRow>,
    pub legend: Vec<(&'static str, String)>,
}

const LABEL_W: u32 = 260;
const PLOT_W: u32 = 330;
const BAR_H: u32 = 14;

fn chart_of(t: &Table, c: &Chart) -> Option<ChartView> {
    let max = t
        .rows
        .iter()
        .flat_map(|r| c.series.iter().filter_map(|(i, _)| r.get(*i)?.value))
        .fold(0.0_f64, f64::max);
    let max = if c.unit == "%" { max.max(100.0) } else { max };
    let drawn = t.rows.iter().any(|r| {
        c.series
            .iter()
            .any(|(i, _)| r.get(*i).and_then(|o| o.value).is_some())
    });
    if !drawn {
        return None;
    }
    let group = BAR_H * c.series.len() as u32 + 10;
    let mut rows = Vec::new();
    // A row with nothing to draw (a total without a share) stays in the table only.
    let drawn: Vec<&Vec<tables::Out>> = t
        .rows
        .iter()
        .filter(|r| {
            c.series
                .iter()
                .any(|(i, _)| r.get(*i).and_then(|o| o.value).is_some())
        })
        .collect();
    if drawn.is_empty() {
        return None;
    }
    for (n, r) in drawn.iter().enumerate() {
        let top = n as u32 * group + 4;
        let bars = c
            .series
            .iter()
            .enumerate()
            .map(|(k, (i, class))| {
                let cell = r.get(*i);
                let v = cell.and_then(|o| o.value).unwrap_or(0.0);
                let w = if max > 0.0 {
                    ((v / max) * f64::from(PLOT_W)).round() as u32
                } else {
                    0
                };
                Bar {
                    y: top + k as u32 * BAR_H,
                    w,
                    class,
                    text: cell.map(|o| o.text.clone()).unwrap_or_default(),
                    tx: LABEL_W + w + 4,
                }
            })
            .collect();
        rows.push(ChartRow {
            label: r.first().map(|o| o.text.clone()).unwrap_or_default(),
            y: top + BAR_H - 3,
            bars,
        });
    }
    Some(ChartView {
        height: drawn.len() as u32 * group + 8,
        series: c
            .series
            .iter()
            .map(|(i, _)| i.to_string())
            .collect::<Vec<_>>()
            .join(","),
        rows,
        legend: c
            .series
            .iter()
            .filter_map(|(i, class)| Some((*class, t.columns.get(*i)?.clone())))
            .collect(),
    })
}

pub struct Section {
    pub table: Table,
    pub chart: Option<ChartView>,
}

#[derive(Template)]
#[template(path = "stuur/dashboard.html")]
struct DashboardPage {
    page: Page,
    v: View,
    sections: Vec<Section>,
    query: String,
    print: bool,
    ages: Vec<(&'static str, &'static str)>,
    areas: &'static [(&'static str, &'static str)],
}

impl DashboardPage {
    fn chosen_org(&self, a: &Audience) -> bool {
        a.org_id == self.v.audience.org_id
    }
    fn chosen_wijk(&self, code: &str) -> bool {
        self.v.selection.wijk.as_deref() == Some(code)
    }
    fn chosen_age(&self, code: &str) -> bool {
        self.v.selection.age.map(AgeBand::code) == Some(code)
    }
    fn chosen_area(&self, code: &str) -> bool {
        self.v.selection.area.as_deref() == Some(code)
    }
    fn is_gemeente(&self) -> bool {
        self.v.audience.kind == stuur::AudienceKind::Gemeente
    }
}

pub const LABEL_X: u32 = LABEL_W - 8;
pub const PLOT_X: u32 = LABEL_W;

pub async fn dashboard(
    user: CurrentUser,
    State(state): State<AppState>,
    Query(q): Query<FilterQuery>,
) -> Result<Html<String>, AppError> {
    let v = stuur::view(&state.app, &user, &q.filters(), "read").await?;
    let sections = tables::tables(&v)
        .into_iter()
        .map(|t| Section {
            chart: t.chart.as_ref().and_then(|c| chart_of(&t, c)),
            table: t,
        })
        .collect();
    DashboardPage {
        page: Page::for_user("Stuurinformatie", "stuur", &user),
        query: query_of(&v),
        v,
        sections,
        print: q.weergave == "afdruk",
        ages: AgeBand::ALL.iter().map(|a| (a.code(), a.label())).collect(),
        areas: PROBLEM_AREAS,
    }
    .render()
    .map(Html)
    .map_err(AppError::internal)
}

/// One table as CSV, with the filters in its first line.
pub async fn export_csv(
    user: CurrentUser,
    State(state): State<AppState>,
    Query(q): Query<FilterQuery>,
) -> Result<Response, AppError> {
    let v = stuur::view(&state.app, &user, &q.filters(), "export_csv").await?;
    let all = tables::tables(&v);
    let t = all
        .iter()
        .find(|t| t.key == q.tabel)
        .ok_or_else(|| AppError::BadRequest("Deze tabel bestaat niet.".into()))?;
    let filters = describe(&v);
    let body = tables::csv(t, &filters);
    let name = format!(
        "stuurinformatie-{}-{}.csv",
        t.key,
        v.selection.period.from_text()
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        // A byte-order mark: Excel then reads the file as UTF-8.
        format!("\u{feff}{body}"),
    )
        .into_response())
}

/// Every table (or the one named) as an Excel workbook, a sheet per table.
pub async fn export_xlsx(
    user: CurrentUser,
    State(state): State<AppState>,
    Query(q): Query<FilterQuery>,
) -> Result<Response, AppError> {
    let v = stuur::view(&state.app, &user, &q.filters(), "export_xlsx").await?;
    let all: Vec<Table> = tables::tables(&v)
        .into_iter()
        .filter(|t| q.tabel.is_empty() || t.key == q.tabel)
        .collect();
    if all.is_empty() {
        return Err(AppError::BadRequest("Deze tabel bestaat niet.".into()));
    }
    let body = xlsx::workbook(&all, &describe(&v)).map_err(AppError::internal)?;
    let name = format!(
        "stuurinformatie-{}-{}.xlsx",
        if q.tabel.is_empty() {
            "alles"
        } else {
            q.tabel.as_str()
        },
        v.selection.period.from_text()
    );
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response())
}

/// "Gemeente Voorbeeld, 2025 K1 – …, wijk …": what a download was made of.
pub fn describe(v: &View) -> String {
    let s = &v.selection;
    let mut parts = vec![v.audience.label.clone(), s.period.label()];
    if let Some(w) = &s.wijk {
        let name = v
            .wijken
            .iter()
            .find(|(c, _)| c == w)
            .map_or(w.clone(), |(_, n)| n.clone());
        parts.push(format!("wijk {name}"));
    }
    if let Some(a) = s.age {
        parts.push(a.label().to_owned());
    }
    if let Some(a) = &s.area {
        parts.push(a.clone());
    }
    parts.join(", ")
}
