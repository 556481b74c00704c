//! Searching the offer of the sociale kaart in Dutch, with filters for age, kind of help,
//! access route, problem area and waiting time.
//!
//! The ranking runs over this server's in-memory index (see `index`), so a search costs
//! one small query for the directory's version plus work in memory.

use crate::access;
use crate::error::AppError;
use crate::extract::Query;
use crate::page::Page;
use crate::session::CurrentUser;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Html;
use rondom_app::directory::index::{Filter, Found, Hit, SearchIndex};
use rondom_app::directory::rows::ServiceRow;
use rondom_domain::area::Place;
use rondom_domain::catalogue::{self, ACCESS_ROUTES, CATEGORIES, PROBLEM_AREAS};
use rondom_domain::search::Query as TextQuery;
use rondom_domain::validate::ValidationError;
use rondom_domain::{Action, Resource};
use serde::Deserialize;

#[derive(Deserialize, serde::Serialize, Default, Clone)]
#[serde(default)]
pub struct SearchForm {
    pub q: String,
    pub leeftijd: String,
    pub categorie: String,
    pub toegang: String,
    pub probleem: String,
    pub max_wacht: String,
    pub postcode: String,
    pub gebied: String,
    #[serde(skip_serializing)]
    pub pagina: String,
}

pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
}

fn choices(list: &[(&'static str, &'static str)]) -> Vec<Choice> {
    list.iter()
        .map(|(value, label)| Choice { value, label })
        .collect()
}

pub struct ResultView {
    pub id: String,
    pub organisation_id: String,
    pub name: String,
    pub organisation: String,
    pub category: &'static str,
    pub access: &'static str,
    pub ages: String,
    pub wait: String,
    pub summary: String,
    pub distance: Option<String>,
    /// The same course in several places: (service id, place), one per copy.
    pub places: Vec<(String, String)>,
}

fn ages(min: i32, max: i32) -> String {
    if max >= 99 {
        format!("vanaf {min} jaar")
    } else {
        format!("{min} tot en met {max} jaar")
    }
}

fn wait(row: &ServiceRow) -> String {
    match (row.wait_weeks, &row.wait_reported_on) {
        (Some(0), Some(on)) => format!("geen wachttijd (gemeld {})", crate::format::long_date(*on)),
        (Some(w), Some(on)) => format!(
            "{w} {} (gemeld {})",
            if w == 1 { "week" } else { "weken" },
            crate::format::long_date(*on)
        ),
        (Some(w), None) => format!("{w} weken"),
        _ => "onbekend".into(),
    }
}

fn summary(text: &str) -> String {
    let mut out: String = text.chars().take(180).collect();
    if text.chars().count() > 180 {
        out.push('…');
    }
    out
}

pub fn view(row: &ServiceRow) -> ResultView {
    ResultView {
        id: row.id.to_string(),
        organisation_id: row.organisation_id.to_string(),
        name: row.name.clone(),
        organisation: row.organisation_name.clone(),
        category: catalogue::label(CATEGORIES, &row.category).unwrap_or("?"),
        access: catalogue::label(ACCESS_ROUTES, &row.access_route).unwrap_or("?"),
        ages: ages(row.age_min, row.age_max),
        wait: wait(row),
        summary: summary(&row.description),
        distance: None,
        places: vec![],
    }
}

/// How many results a page lists: the best twenty fit a screen or two; the rest are a
/// click away.
const SHOWN: usize = 20;

/// The furthest page offered; beyond it, narrowing the search is the better advice.
const LAST_PAGE: usize = 50;

#[derive(Template)]
#[template(path = "directory/search.html")]
struct SearchPage {
    page: Page,
    /// All matches; at most `SHOWN` are listed.
    total: usize,
    /// 1-based number of the first result listed.
    first: usize,
    previous: Option<String>,
    next: Option<String>,
    form: SearchForm,
    searched: bool,
    results: Vec<ResultView>,
    suggestions: Vec<&'static str>,
    error: Option<String>,
    /// A postcode that lies in no wijk of this sociale kaart, said as such.
    postcode_notice: Option<String>,
    /// Words no service uses, left out of the search, said as such.
    unknown_notice: Option<String>,
    /// No service has every word; the results have some of them.
    partial: bool,
    /// Whether "wijk van mijn praktijk" can be offered.
    has_home: bool,
    categories: Vec<Choice>,
    routes: Vec<Choice>,
    areas: Vec<Choice>,
}

/// What to look for, checked.
pub struct Criteria {
    pub text: TextQuery,
    pub age: Option<u8>,
    pub category: String,
    pub access_route: String,
    pub problem_area: String,
    pub max_wait: Option<i32>,
    /// Only what is available at this postcode.
    pub postcode: Option<u16>,
    /// Only what is available in the wijk of the searcher's own practice.
    pub near_home: bool,
}

/// The raw fields of a search, from a form or the API.
#[derive(Default)]
pub struct Fields<'a> {
    pub q: &'a str,
    pub age: &'a str,
    pub category: &'a str,
    pub access_route: &'a str,
    pub problem_area: &'a str,
    pub max_wait: &'a str,
    pub postcode: &'a str,
    pub area: &'a str,
}

impl Criteria {
    /// From the form's (or the API's) fields; problems come back as Dutch sentences.
    pub fn parse(f: &Fields<'_>) -> Result<Self, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let text = TextQuery::parse(f.q);
        let age = match f.age.trim() {
            "" => text.age,
            s => match s.parse::<u8>() {
                Ok(a) if a <= 27 => Some(a),
                _ => {
                    errors.push(ValidationError::new(
                        "age",
                        "Vul de leeftijd in als een getal van 0 tot en met 27.",
                    ));
                    None
                }
            },
        };
        let max_wait = match f.max_wait.trim() {
            "" => None,
            s => match s.parse::<i32>() {
                Ok(w) if w >= 0 => Some(w),
                _ => {
                    errors.push(ValidationError::new(
                        "max_wait",
                        "Vul de maximale wachttijd in als een aantal weken.",
                    ));
                    None
                }
            },
        };
        let postcode = match f.postcode.trim() {
            "" => None,
            s => {
                let n = rondom_domain::area::postcode_number(s);
                if n.is_none() {
                    errors.push(ValidationError::new(
                        "postcode",
                        "Vul een postcode in, zoals 9990 AB of alleen de cijfers 9990.",
                    ));
                }
                n
            }
        };
        let near_home = match f.area {
            "" => false,
            "praktijk" => true,
            _ => {
                errors.push(ValidationError::new(
                    "area",
                    "Kies als gebied ‘overal’ of ‘wijk van mijn praktijk’.",
                ));
                false
            }
        };
        let known =
            |list: &[(&str, &str)], v: &str| v.is_empty() || list.iter().any(|(c, _)| *c == v);
        if !known(CATEGORIES, f.category) {
            errors.push(ValidationError::new(
                "category",
                "Kies een soort hulp uit de lijst.",
            ));
        }
        if !known(ACCESS_ROUTES, f.access_route) {
            errors.push(ValidationError::new(
                "access_route",
                "Kies een toegang uit de lijst.",
            ));
        }
        if !known(PROBLEM_AREAS, f.problem_area) {
            errors.push(ValidationError::new(
                "problem_area",
                "Kies een probleemgebied uit de lijst.",
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Self {
            text,
            age,
            category: f.category.to_owned(),
            access_route: f.access_route.to_owned(),
            problem_area: f.problem_area.to_owned(),
            max_wait,
            postcode,
            near_home,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.text.terms.is_empty()
            && self.age.is_none()
            && self.category.is_empty()
            && self.access_route.is_empty()
            && self.problem_area.is_empty()
            && self.max_wait.is_none()
            && self.postcode.is_none()
            && !self.near_home
    }

    /// The matches in `index`, best first: the total and at most `limit` hits. `home` is
    /// where the searcher works (for nearness and "wijk van mijn praktijk").
    pub fn run<'a>(
        &self,
        index: &'a SearchIndex,
        home: Option<&Place>,
        organisation_id: Option<&str>,
        limit: usize,
        fold_copies: bool,
    ) -> Found<'a> {
        let typed = self.postcode.map(|p| index.place_of_postcode(p));
        let place = match (&typed, self.near_home) {
            (Some(p), _) => Some(p),
            (None, true) => home,
            (None, false) => None,
        };
        let from = place.and_then(|p| p.point).or(home.and_then(|h| h.point));
        index.find(
            &Filter {
                text: &self.text,
                age: self.age,
                category: &self.category,
                access_route: &self.access_route,
                problem_area: &self.problem_area,
                max_wait: self.max_wait,
                organisation_id,
                place,
                from,
                fold_copies,
            },
            limit,
        )
    }

    /// What to widen when nothing was found.
    pub fn suggestions(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.age.is_some() {
            out.push("Zoek zonder leeftijd.");
        }
        if self.max_wait.is_some() {
            out.push("Laat de maximale wachttijd weg.");
        }
        if self.postcode.is_some() || self.near_home {
            out.push("Zoek overal in plaats van alleen in dit gebied.");
        }
        if !self.category.is_empty()
            || !self.access_route.is_empty()
            || !self.problem_area.is_empty()
        {
            out.push("Kies bij soort hulp, toegang of probleemgebied ‘alle’.");
        }
        if !self.text.terms.is_empty() {
            out.push("Gebruik minder of andere woorden, bijvoorbeeld ‘opvoeden’ of ‘angst’.");
        }
        out
    }
}

/// The name copies of one course share: "Opvoedwinkel" for "Opvoedwinkel" and
/// "Opvoedwinkel (wijk Noord)"; the first name when they share too little.
fn course_name(names: &[&str]) -> String {
    let Some(first) = names.first() else {
        return String::new();
    };
    let mut common = first.len();
    for n in &names[1..] {
        common = first
            .char_indices()
            .zip(n.chars())
            .find(|((_, a), b)| a != b)
            .map_or(common.min(n.len()).min(first.len()), |((i, _), _)| i)
            .min(common);
    }
    let mut shared = &first[..common];
    // "Cursus (wijk " of "Cursus (wijk Noord)" and "Cursus (wijk Oost)": the place
    // in brackets is not part of the name.
    if let Some(open) = shared.rfind('(')
        && !shared[open..].contains(')')
    {
        shared = &shared[..open];
    }
    let shared = shared.trim_end_matches(|c: char| c.is_whitespace() || "(-–:,".contains(c));
    if shared.chars().count() >= 3 {
        shared.to_owned()
    } else {
        (*first).to_owned()
    }
}

/// Where a user works, for nearness and "wijk van mijn praktijk": their first
/// organisation's wijk and gemeente, with its first location's coordinates or else its
/// wijk's centre (kept in the index, so this costs no query).
pub fn home_place(user: &CurrentUser, index: &SearchIndex) -> Option<Place> {
    let org = &user.memberships.first()?.organisation_id;
    index.homes.get(org.as_str()).cloned()
}

pub async fn search(
    user: CurrentUser,
    State(state): State<AppState>,
    Query(form): Query<SearchForm>,
) -> Result<Html<String>, AppError> {
    access::require(&state, &user, Action::Read, Resource::Directory).await?;
    let fields = |all: bool| Fields {
        q: &form.q,
        age: if all { &form.leeftijd } else { "" },
        category: if all { &form.categorie } else { "" },
        access_route: if all { &form.toegang } else { "" },
        problem_area: if all { &form.probleem } else { "" },
        max_wait: if all { &form.max_wacht } else { "" },
        postcode: if all { &form.postcode } else { "" },
        area: if all { &form.gebied } else { "" },
    };
    let (criteria, error) = match Criteria::parse(&fields(true)) {
        Ok(c) => (c, None),
        Err(errors) => (
            // Still show what the words alone find, with the message.
            Criteria::parse(&fields(false)).map_err(|_| AppError::internal("criteria"))?,
            Some(
                errors
                    .into_iter()
                    .map(|e| e.message)
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
        ),
    };
    let searched = !criteria.is_empty() || error.is_some();
    // An age read from the words ("9 jaar") shows in the age field, so the filter is
    // visible and can be cleared.
    let mut form = form;
    if form.leeftijd.trim().is_empty()
        && let Some(a) = criteria.age
    {
        form.leeftijd = a.to_string();
    }
    let index = state
        .directory_index
        .get_at(&state.app.db, user.directory_version)
        .await?;
    let home = home_place(&user, &index);
    let postcode_notice = criteria
        .postcode
        .filter(|p| index.place_of_postcode(*p).wijk.is_none())
        .map(|p| {
            format!(
                "Postcode {p} ligt in geen gemeente of wijk van deze sociale kaart. Controleer de postcode: zo vindt u alleen aanbod dat overal of juist daar geldt."
            )
        });
    let page_no = form
        .pagina
        .trim()
        .parse::<usize>()
        .unwrap_or(1)
        .clamp(1, LAST_PAGE);
    let found = criteria.run(&index, home.as_ref(), None, page_no * SHOWN, true);
    let (total, hits) = (found.total, found.hits);
    let unknown = found.unknown_words;
    let unknown_notice = (!unknown.is_empty()).then(|| {
        let quoted: Vec<String> = unknown.iter().map(|w| format!("‘{w}’")).collect();
        format!(
            "Gezocht zonder {}: {} in geen enkel aanbod voor.",
            quoted.join(" en "),
            if unknown.len() == 1 {
                "dat woord komt"
            } else {
                "die woorden komen"
            }
        )
    });
    let skip = (page_no - 1) * SHOWN;
    let partial = !found.every_word && !hits.is_empty();
    let results: Vec<ResultView> = hits
        .iter()
        .skip(skip)
        .map(|h| hit_view(h, &index))
        .collect();
    let link = |n: usize| {
        let query = serde_urlencoded::to_string(&form).unwrap_or_default();
        format!("/sociale-kaart?{query}&pagina={n}")
    };
    let previous = (page_no > 1).then(|| link(page_no - 1));
    let next = (total > page_no * SHOWN && page_no < LAST_PAGE).then(|| link(page_no + 1));
    let suggestions = if searched && results.is_empty() {
        criteria.suggestions()
    } else {
        vec![]
    };
    SearchPage {
        page: Page::for_user("Sociale kaart", "kaart", &user),
        total,
        first: skip + 1,
        previous,
        next,
        form,
        searched,
        results,
        suggestions,
        error,
        postcode_notice,
        unknown_notice,
        partial,
        has_home: home.as_ref().is_some_and(|h| h.wijk.is_some()),
        categories: choices(CATEGORIES),
        routes: choices(ACCESS_ROUTES),
        areas: choices(PROBLEM_AREAS),
    }
    .render()
    .map(Html)
    .map_err(AppError::internal)
}

fn hit_view(h: &Hit<'_>, index: &SearchIndex) -> ResultView {
    let mut v = view(&h.entry.row);
    if !h.copies.is_empty() {
        let names: Vec<&str> = std::iter::once(h.entry)
            .chain(h.copies.iter().copied())
            .map(|e| e.row.name.as_str())
            .collect();
        v.name = course_name(&names);
        v.places = std::iter::once(h.entry)
            .chain(h.copies.iter().copied())
            .map(|e| (e.row.id.to_string(), index.places_of(e).join(", ")))
            .collect();
    }
    v.distance = h.distance_km.map(|d| {
        if d < 1.0 {
            "minder dan 1 km".to_owned()
        } else {
            format!("{} km", d.round())
        }
    });
    v
}

#[cfg(test)]
mod tests {
    use super::course_name;

    #[test]
    fn copies_of_a_course_are_named_without_their_place() {
        assert_eq!(
            course_name(&["Opvoedwinkel", "Opvoedwinkel (wijk Noord)"]),
            "Opvoedwinkel"
        );
        assert_eq!(
            course_name(&[
                "Cursus Positief Opvoeden (wijk Noord)",
                "Cursus Positief Opvoeden (wijk Oost)"
            ]),
            "Cursus Positief Opvoeden"
        );
        assert_eq!(course_name(&["Spreekuur", "Inloop"]), "Spreekuur");
    }
}
