//! The dashboard as tables: each figure becomes one table (its columns, its rows of
//! protected cells and its one-line definition) and, where a picture helps, a chart of
//! the same cells. The page, the CSV and the API all read these tables, so the chart,
//! the table beneath it and an export can never disagree.

use rondom_app::stuur::{AudienceKind, View};
use rondom_domain::stuur::figures::{Dashboard, LeadRow, definition};
use rondom_domain::stuur::protect::Cell;
use serde::Serialize;
use utoipa::ToSchema;

/// One cell as shown: its text ("<5", "×", "12%", "1.235") and the number behind the
/// text when one may be shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Out {
    pub text: String,
    pub value: Option<f64>,
}

impl Out {
    fn count(c: Cell) -> Self {
        Self {
            text: c.text(),
            value: c.value().map(|v| v as f64),
        }
    }

    fn pct(p: Option<u64>) -> Self {
        match p {
            Some(p) => Self {
                text: format!("{p}%"),
                value: Some(p as f64),
            },
            None => Self::none(),
        }
    }

    fn pct_f(p: Option<f64>) -> Self {
        match p {
            Some(p) => Self {
                text: format!("{}%", dutch(p)),
                value: Some(p),
            },
            None => Self::none(),
        }
    }

    fn days(d: Option<i64>) -> Self {
        match d {
            Some(d) => Self {
                text: d.to_string(),
                value: Some(d as f64),
            },
            None => Self::none(),
        }
    }

    fn number(n: Option<f64>) -> Self {
        match n {
            Some(n) => Self {
                text: dutch(n),
                value: Some(n),
            },
            None => Self::none(),
        }
    }

    fn label(s: impl Into<String>) -> Self {
        Self {
            text: s.into(),
            value: None,
        }
    }

    fn none() -> Self {
        Self::label("–")
    }
}

/// 11.4 as "11,4".
fn dutch(n: f64) -> String {
    let s = format!("{n:.1}");
    s.strip_suffix(".0").unwrap_or(&s).replace('.', ",")
}

/// A horizontal bar chart of some of a table's columns: one group of bars per row.
#[derive(Debug, Clone)]
pub struct Chart {
    /// Columns drawn, with the CSS class of their bars.
    pub series: Vec<(usize, &'static str)>,
    /// "%" or "" (counts, days).
    pub unit: &'static str,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Table {
    pub key: &'static str,
    pub title: String,
    pub definition: &'static str,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Out>>,
    /// Where the national figure comes from, when one stands beside ours.
    pub source: Option<String>,
    #[serde(skip)]
    #[schema(ignore)]
    pub chart: Option<Chart>,
}

/// The dashboard's tables, in the page's order, for this audience.
pub fn tables(v: &View) -> Vec<Table> {
    let d = &v.dashboard;
    let area = match v.audience.kind {
        AudienceKind::Gemeente if v.selection.wijk.is_some() => "Deze wijk",
        AudienceKind::Gemeente => "Deze gemeente",
        AudienceKind::Team => "Dit team",
        AudienceKind::Practice => "Deze praktijk",
    };
    let mut out = vec![
        team_share(d, area),
        referrers(d, area),
        trend(d, v.selection.monthly),
    ];
    out.push(practices(d, v.audience.kind));
    out.push(feedback(d));
    out.push(lead_times(d));
    if !d.waits.is_empty() {
        out.push(waits(d));
    }
    out.push(durations(d, area));
    if let Some(m) = &d.money {
        out.push(money(m));
    }
    if v.audience.kind == AudienceKind::Team {
        out.push(caseload(d));
    }
    out
}

fn team_share(d: &Dashboard, area: &str) -> Table {
    let t = &d.team_share;
    let mut rows = vec![vec![
        Out::label(area),
        Out::count(t.helped),
        Out::count(t.by_team),
        Out::pct(t.share),
    ]];
    if let Some(b) = &t.benchmark {
        rows.push(vec![
            Out::label("Landelijk (CBS)"),
            Out::none(),
            Out::none(),
            Out::pct_f(Some(b.value)),
        ]);
    }
    let mut source = t.benchmark.as_ref().map(|b| b.source());
    if let Some(per100) = t.help_per_100 {
        rows.push(vec![
            Out::label("Jeugdigen met hulp per 100 jeugdigen in het gebied"),
            Out::none(),
            Out::none(),
            Out::pct_f(Some(per100)),
        ]);
        if let Some(b) = &t.help_benchmark {
            rows.push(vec![
                Out::label("Jeugdigen met hulp per 100 jeugdigen, landelijk (CBS)"),
                Out::none(),
                Out::none(),
                Out::pct_f(Some(b.value)),
            ]);
            source = Some(format!("{}; {}", source.unwrap_or_default(), b.source()));
        }
    }
    Table {
        key: "eigen_hulp",
        title: "Hulp door het sociaal team zelf".into(),
        definition: definition("eigen_hulp"),
        columns: vec![
            "".into(),
            "Jeugdigen met hulp".into(),
            "Alleen hulp van het team".into(),
            "Aandeel".into(),
        ],
        rows,
        source,
        chart: Some(Chart {
            series: vec![(3, "ours")],
            unit: "%",
        }),
    }
}

fn referrers(d: &Dashboard, area: &str) -> Table {
    let mut rows: Vec<Vec<Out>> = d
        .referrers
        .iter()
        .map(|r| {
            vec![
                Out::label(format!("{} ({})", r.verwijzer.label(), r.verwijzer.code())),
                Out::count(r.count),
                Out::pct(r.share),
                Out::pct_f(r.national),
            ]
        })
        .collect();
    rows.push(vec![
        Out::label("Totaal"),
        Out::count(d.referrers_total),
        Out::none(),
        Out::none(),
    ]);
    Table {
        key: "verwijzers",
        title: "Nieuwe trajecten per verwijzer".into(),
        definition: definition("verwijzers"),
        columns: vec![
            "Verwijzer".into(),
            "Trajecten".into(),
            format!("Aandeel {}", area.to_lowercase()),
            "Aandeel landelijk (CBS 85097NED)".into(),
        ],
        rows,
        source: Some("CBS 85097NED, 2023 1e halfjaar*".into()),
        chart: Some(Chart {
            series: vec![(2, "ours"), (3, "national")],
            unit: "%",
        }),
    }
}

fn trend(d: &Dashboard, monthly: bool) -> Table {
    Table {
        key: "trend",
        title: if monthly {
            "Verloop per maand".into()
        } else {
            "Verloop per kwartaal".into()
        },
        definition: definition("trend"),
        columns: vec![
            if monthly { "Maand" } else { "Kwartaal" }.into(),
            "Nieuwe trajecten".into(),
            "Verwijzingen van huisartsen".into(),
            "Aandeel eigen hulp".into(),
        ],
        rows: d
            .trend
            .iter()
            .map(|t| {
                vec![
                    Out::label(&t.label),
                    Out::count(t.new),
                    Out::count(t.gp),
                    Out::pct(t.team_share),
                ]
            })
            .collect(),
        source: None,
        chart: Some(Chart {
            series: vec![(1, "ours"), (2, "other")],
            unit: "",
        }),
    }
}

fn practices(d: &Dashboard, kind: AudienceKind) -> Table {
    let row = |p: &rondom_domain::stuur::figures::PracticeRow| {
        vec![
            Out::label(&p.name),
            Out::count(p.referrals),
            Out::number(p.per_1000),
            Out::pct(p.to_team),
            Out::pct(p.consulted_first),
            Out::count(p.asked),
            Out::pct(p.answered_on_time),
            Out::pct(p.became_referral),
        ]
    };
    let mut rows: Vec<Vec<Out>> = d.practices.iter().map(row).collect();
    if let Some(avg) = &d.practice_average {
        rows.push(row(avg));
    }
    Table {
        key: "huisartsen",
        title: if kind == AudienceKind::Practice {
            "Uw praktijk naast het gemiddelde van de gemeente".into()
        } else {
            "Huisartsenpraktijken".into()
        },
        definition: definition("huisartsen"),
        columns: vec![
            "Praktijk".into(),
            "Verwijzingen".into(),
            "Per 1.000 jeugdigen".into(),
            "Eerst naar het team".into(),
            "Na consultatie".into(),
            "Consultaties".into(),
            "Op tijd beantwoord".into(),
            "Werd verwijzing".into(),
        ],
        rows,
        source: None,
        chart: Some(Chart {
            series: vec![(2, "ours")],
            unit: "",
        }),
    }
}

fn feedback(d: &Dashboard) -> Table {
    Table {
        key: "terugkoppeling",
        title: "Terugkoppeling op tijd".into(),
        definition: definition("terugkoppeling"),
        columns: vec![
            "Moment".into(),
            "Moment gekomen".into(),
            "Op tijd".into(),
            "Aandeel op tijd".into(),
        ],
        rows: d
            .feedback
            .iter()
            .map(|f| {
                vec![
                    Out::label(f.moment),
                    Out::count(f.due),
                    Out::count(f.on_time),
                    Out::pct(f.share),
                ]
            })
            .collect(),
        source: None,
        chart: Some(Chart {
            series: vec![(3, "ours")],
            unit: "%",
        }),
    }
}

fn lead_row(l: &LeadRow, reported: bool) -> Vec<Out> {
    let mut r = vec![
        Out::label(&l.label),
        Out::count(l.count),
        Out::days(l.p50),
        Out::days(l.p90),
    ];
    if reported {
        r.push(Out::days(l.reported));
    }
    r
}

fn lead_times(d: &Dashboard) -> Table {
    Table {
        key: "doorlooptijden",
        title: "Doorlooptijden".into(),
        definition: definition("doorlooptijden"),
        columns: vec![
            "Van versturen".into(),
            "Verwijzingen".into(),
            "Mediaan (dagen)".into(),
            "90% binnen (dagen)".into(),
        ],
        rows: d.lead_times.iter().map(|l| lead_row(l, false)).collect(),
        source: None,
        chart: Some(Chart {
            series: vec![(2, "ours"), (3, "other")],
            unit: "",
        }),
    }
}

fn waits(d: &Dashboard) -> Table {
    Table {
        key: "wachttijden",
        title: "Wachttijden per dienst".into(),
        definition: definition("wachttijden"),
        columns: vec![
            "Dienst".into(),
            "Verwijzingen".into(),
            "Gemeten mediaan (dagen)".into(),
            "Gemeten 90% binnen (dagen)".into(),
            "Opgegeven in de sociale kaart (dagen)".into(),
        ],
        rows: d.waits.iter().map(|l| lead_row(l, true)).collect(),
        source: None,
        chart: Some(Chart {
            series: vec![(2, "ours"), (4, "national")],
            unit: "",
        }),
    }
}

fn durations(d: &Dashboard, area: &str) -> Table {
    Table {
        key: "duur",
        title: "Beëindigde trajecten naar duur".into(),
        definition: definition("duur"),
        columns: vec![
            "Duur".into(),
            "Trajecten".into(),
            format!("Aandeel {}", area.to_lowercase()),
            "Aandeel landelijk (CBS, 2021*)".into(),
        ],
        rows: d
            .durations
            .iter()
            .map(|r| {
                vec![
                    Out::label(r.label),
                    Out::count(r.count),
                    Out::pct(r.share),
                    Out::pct_f(r.national),
                ]
            })
            .collect(),
        source: Some("CBS jeugdzorg, beëindigde trajecten naar duur, 2021*".into()),
        chart: Some(Chart {
            series: vec![(2, "ours"), (3, "national")],
            unit: "%",
        }),
    }
}

fn euros(e: Option<u64>) -> Out {
    match e {
        Some(e) => Out {
            text: format!("€ {}", rondom_domain::stuur::protect::thousands(e)),
            value: Some(e as f64),
        },
        None => Out::none(),
    }
}

fn money(m: &rondom_domain::stuur::figures::Money) -> Table {
    let mut rows: Vec<Vec<Out>> = m
        .rows
        .iter()
        .map(|r| {
            vec![
                Out::label(&r.label),
                Out::count(r.trajectories),
                euros(r.euros),
                Out::pct(r.share),
            ]
        })
        .collect();
    rows.push(vec![
        Out::label("Totaal"),
        Out::none(),
        euros(m.total),
        Out::none(),
    ]);
    rows.push(vec![
        Out::label("Budget jeugdhulp voor deze periode"),
        Out::none(),
        euros(m.budget),
        Out::pct(m.of_budget),
    ]);
    Table {
        key: "geld",
        title: "Kosten van de gecontracteerde hulp".into(),
        definition: definition("geld"),
        columns: vec![
            "Soort hulp".into(),
            "Trajecten".into(),
            "Kosten (afgerond op € 1.000)".into(),
            "Aandeel".into(),
        ],
        rows,
        source: None,
        chart: Some(Chart {
            series: vec![(2, "ours")],
            unit: "",
        }),
    }
}

fn caseload(d: &Dashboard) -> Table {
    Table {
        key: "caseload",
        title: "Caseload per casusregisseur".into(),
        definition: definition("caseload"),
        columns: vec![
            "Casusregisseur".into(),
            "Open verwijzingen".into(),
            "Over een termijn".into(),
        ],
        rows: d
            .caseload
            .iter()
            .map(|c| {
                vec![
                    Out::label(&c.name),
                    Out::count(c.open),
                    Out::count(c.over_term),
                ]
            })
            .collect(),
        source: None,
        chart: Some(Chart {
            series: vec![(1, "ours"), (2, "other")],
            unit: "",
        }),
    }
}

/// A table as CSV (semicolons and a decimal comma, as Dutch spreadsheets read it),
/// with its definition and the protection rule as the first lines.
pub fn csv(t: &Table, filters: &str) -> String {
    let field = |s: &str| {
        if s.contains([';', '"', '\n']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_owned()
        }
    };
    let mut out = String::new();
    out.push_str(&field(&format!("{} ({filters})", t.title)));
    out.push('\n');
    out.push_str(&field(t.definition));
    out.push('\n');
    out.push_str(&field(
        "Aantallen afgerond op vijftallen; <5 = minder dan vijf; × = verborgen omdat het uit de andere cijfers te berekenen zou zijn.",
    ));
    out.push('\n');
    out.push_str(
        &t.columns
            .iter()
            .map(|c| field(c))
            .collect::<Vec<_>>()
            .join(";"),
    );
    out.push('\n');
    for r in &t.rows {
        out.push_str(
            &r.iter()
                .map(|c| field(c.text.trim_end_matches('%')))
                .collect::<Vec<_>>()
                .join(";"),
        );
        out.push('\n');
    }
    out
}
