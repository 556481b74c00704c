//! The search index of the sociale kaart, kept in memory per app server.
//!
//! Each entry holds a service with its areas and coordinates, and its kind of help,
//! access route, problem areas and areas encoded as small integers so that filtering
//! 20,000 services compares numbers, not strings. Inverted indexes from trigram to
//! entries (one over the whole text, one over the name) give every text term its
//! candidates and their scores by counting, without touching the other services.
//!
//! The index is a cache, not state: every search reads the directory's version counter
//! (bumped in the transaction of every change, whichever server made it) and rebuilds
//! the index when it moved, so several servers behind a load balancer agree.

use rondom_db::directory::{self, ServiceRow};
use rondom_db::organisations::District;
use rondom_db::{AnyConnection, DbError};
use rondom_domain::area::{self, Area, Place};
use rondom_domain::catalogue::{self, ACCESS_ROUTES, CATEGORIES, PROBLEM_AREAS};
use rondom_domain::search::{self, Document, MATCH, Query};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

pub struct Entry {
    pub row: ServiceRow,
    pub areas: Vec<Area>,
    pub own_gemeente: String,
    /// Coordinates of the locations where the service is given.
    pub points: Vec<(f64, f64)>,
    pub problem_areas: Vec<&'static str>,
}

/// What filtering and ranking read of an entry, small and side by side in one array, so
/// that scanning 20,000 services stays in the processor's cache.
#[derive(Clone, Copy)]
struct Hot {
    age_min: u8,
    age_max: u8,
    category: u8,
    access_route: u8,
    /// One bit per problem area, in the order of `PROBLEM_AREAS`.
    problems: u16,
    /// Weeks; `u16::MAX` when unknown.
    wait: u16,
    organisation: u32,
    own_gm: u32,
    /// Range in `SearchIndex::areas`.
    areas: (u32, u32),
    /// Range in `SearchIndex::points`.
    points: (u32, u32),
}

/// An area with its CBS code as a number.
#[derive(Clone, Copy)]
enum Coded {
    Gemeente(u32),
    Wijk(u32),
    Postcodes(u16, u16),
}

/// "GM0363" → 363, "WK036301" → 36301; anything else matches nothing.
fn code_number(code: &str) -> u32 {
    code.get(2..)
        .and_then(|d| d.parse().ok())
        .unwrap_or(u32::MAX)
}

fn position(list: &[(&str, &str)], value: &str) -> u8 {
    list.iter()
        .position(|(c, _)| *c == value)
        .and_then(|p| u8::try_from(p).ok())
        .unwrap_or(u8::MAX)
}

pub struct SearchIndex {
    pub version: i64,
    pub entries: Vec<Entry>,
    pub districts: Vec<District>,
    /// Where each organisation works (for nearness and "wijk van mijn praktijk").
    pub homes: HashMap<String, Place>,
    postings: HashMap<u32, Vec<u32>>,
    name_postings: HashMap<u32, Vec<u32>>,
    organisations: HashMap<String, u32>,
    hot: Vec<Hot>,
    areas: Vec<Coded>,
    points: Vec<(f64, f64)>,
}

/// What to look for (already validated) and from where.
pub struct Filter<'a> {
    pub text: &'a Query,
    pub age: Option<u8>,
    pub category: &'a str,
    pub access_route: &'a str,
    pub problem_area: &'a str,
    pub max_wait: Option<i32>,
    pub organisation_id: Option<&'a str>,
    /// Only services available here.
    pub place: Option<&'a Place>,
    /// Nearness is measured from here.
    pub from: Option<(f64, f64)>,
}

pub struct Hit<'a> {
    pub entry: &'a Entry,
    pub score: f32,
    pub distance_km: Option<f64>,
}

/// A candidate of a text search: entry, share of the terms found in the whole text, in
/// the name (0 when some term is missing from the name).
struct Candidate {
    entry: u32,
    text: f32,
    name: f32,
}

impl SearchIndex {
    pub fn load(conn: &mut AnyConnection) -> Result<Self, DbError> {
        let version = directory::version(conn)?;
        let rows = directory::all_services(conn)?;
        let mut areas: HashMap<String, Vec<Area>> = HashMap::new();
        for a in directory::areas_of(conn, None)? {
            if let Ok(parsed) = Area::parse(&a.kind, &a.code) {
                areas.entry(a.service_id.into()).or_default().push(parsed);
            }
        }
        // A service that names no area covers its organisation's areas.
        let mut org_areas: HashMap<String, Vec<Area>> = HashMap::new();
        for (org, kind, code) in directory::organisation_areas(conn, None)? {
            if let Ok(a) = Area::parse(&kind, &code) {
                org_areas.entry(org).or_default().push(a);
            }
        }
        for r in &rows {
            if !areas.contains_key(r.id.as_str())
                && let Some(own) = org_areas.get(r.organisation_id.as_str())
            {
                areas.insert(r.id.to_string(), own.clone());
            }
        }
        let all_locations = directory::locations_of(conn, None)?;
        let mut first_point: HashMap<&str, (f64, f64)> = HashMap::new();
        for l in &all_locations {
            if let (Some(a), Some(b)) = (l.latitude, l.longitude) {
                first_point
                    .entry(l.organisation_id.as_str())
                    .or_insert((a, b));
            }
        }
        let locations: HashMap<String, (f64, f64)> = all_locations
            .iter()
            .filter_map(|l| Some((l.id.to_string(), (l.latitude?, l.longitude?))))
            .collect();
        let mut points: HashMap<String, Vec<(f64, f64)>> = HashMap::new();
        for (service, location) in directory::service_location_links(conn, None)? {
            if let Some(p) = locations.get(&location) {
                points.entry(service).or_default().push(*p);
            }
        }
        let organisations = rondom_db::organisations::list(conn)?;
        let gemeenten: HashMap<String, String> = organisations
            .iter()
            .map(|o| (o.id.to_string(), o.gemeente_code.clone()))
            .collect();
        let districts = rondom_db::organisations::districts(conn)?;
        let mut index = Self::build(version, rows, areas, points, &gemeenten, districts);
        for o in &organisations {
            let mut place = match area::postcode_number(&o.postcode) {
                Some(p) => index.place_of_postcode(p),
                None => Place::default(),
            };
            place.gemeente = Some(o.gemeente_code.clone());
            if o.wijk_code.is_some() {
                place.wijk = o.wijk_code.clone();
            }
            if let Some(p) = first_point.get(o.id.as_str()) {
                place.point = Some(*p);
            }
            index.homes.insert(o.id.to_string(), place);
        }
        Ok(index)
    }

    /// Builds the index from rows already read (the benchmark builds one without a
    /// database).
    pub fn build(
        version: i64,
        rows: Vec<ServiceRow>,
        mut areas: HashMap<String, Vec<Area>>,
        mut points: HashMap<String, Vec<(f64, f64)>>,
        gemeenten: &HashMap<String, String>,
        districts: Vec<District>,
    ) -> Self {
        let mut postings: HashMap<u32, Vec<u32>> = HashMap::new();
        let mut name_postings: HashMap<u32, Vec<u32>> = HashMap::new();
        let mut organisations: HashMap<String, u32> = HashMap::new();
        let mut hot = Vec::with_capacity(rows.len());
        let mut all_areas = Vec::new();
        let mut all_points = Vec::new();
        let entries: Vec<Entry> = rows
            .into_iter()
            .enumerate()
            .map(|(i, row)| {
                let i = i as u32;
                let problem_areas = catalogue::parse_areas(&row.problem_areas);
                let labels: Vec<&str> = problem_areas
                    .iter()
                    .filter_map(|a| catalogue::label(PROBLEM_AREAS, a))
                    .collect();
                let all_doc = Document::new(&format!(
                    "{} {} {} {}",
                    row.name,
                    row.description,
                    row.organisation_name,
                    labels.join(" ")
                ));
                for g in &all_doc.grams {
                    postings.entry(*g).or_default().push(i);
                }
                for g in &Document::new(&row.name).grams {
                    name_postings.entry(*g).or_default().push(i);
                }
                let areas = areas.remove(row.id.as_str()).unwrap_or_default();
                let own_gemeente = gemeenten
                    .get(row.organisation_id.as_str())
                    .cloned()
                    .unwrap_or_default();
                let next = organisations.len() as u32;
                let organisation = *organisations
                    .entry(row.organisation_id.to_string())
                    .or_insert(next);
                let own_points = points.remove(row.id.as_str()).unwrap_or_default();
                let area_start = all_areas.len() as u32;
                all_areas.extend(areas.iter().map(|a| match a {
                    Area::Gemeente(c) => Coded::Gemeente(code_number(c)),
                    Area::Wijk(c) => Coded::Wijk(code_number(c)),
                    Area::Postcodes(a, b) => Coded::Postcodes(*a, *b),
                }));
                let point_start = all_points.len() as u32;
                all_points.extend(own_points.iter().copied());
                let small = |v: i32| u8::try_from(v.clamp(0, 255)).unwrap_or(u8::MAX);
                hot.push(Hot {
                    age_min: small(row.age_min),
                    age_max: small(row.age_max),
                    category: position(CATEGORIES, &row.category),
                    access_route: position(ACCESS_ROUTES, &row.access_route),
                    problems: problem_areas
                        .iter()
                        .map(|p| 1u16 << position(PROBLEM_AREAS, p).min(15))
                        .fold(0, |a, b| a | b),
                    wait: row
                        .wait_weeks
                        .and_then(|w| u16::try_from(w).ok())
                        .unwrap_or(u16::MAX),
                    organisation,
                    own_gm: code_number(&own_gemeente),
                    areas: (area_start, all_areas.len() as u32),
                    points: (point_start, all_points.len() as u32),
                });
                Entry {
                    areas,
                    points: own_points,
                    own_gemeente,
                    problem_areas,
                    row,
                }
            })
            .collect();
        Self {
            version,
            entries,
            districts,
            homes: HashMap::new(),
            postings,
            name_postings,
            organisations,
            hot,
            areas: all_areas,
            points: all_points,
        }
    }

    /// How many services of an organisation were last checked six months ago or longer.
    pub fn stale_services(&self, organisation_id: &str, today: chrono::NaiveDate) -> usize {
        let Some(&org) = self.organisations.get(organisation_id) else {
            return 0;
        };
        self.hot
            .iter()
            .zip(&self.entries)
            .filter(|(h, e)| {
                h.organisation == org && catalogue::is_stale(e.row.last_checked_on, today)
            })
            .count()
    }

    /// The wijk and gemeente of a postcode, with the wijk's centre, from the districts'
    /// postcode lists.
    pub fn place_of_postcode(&self, postcode: u16) -> Place {
        let district = self.districts.iter().find(|d| {
            d.postcodes.as_deref().is_some_and(|list| {
                area::parse_ranges(list)
                    .iter()
                    .any(|(a, b)| *a <= postcode && postcode <= *b)
            })
        });
        Place {
            gemeente: district.map(|d| d.gemeente_code.clone()),
            wijk: district.map(|d| d.code.clone()),
            postcode: Some(postcode),
            point: district.and_then(|d| Some((d.latitude?, d.longitude?))),
        }
    }

    /// The candidates of a text search, each with its text and name score (the mean
    /// share of the terms' trigrams found, as `Query::score` computes it), counted
    /// through the postings; `None` when the query has no text.
    fn candidates(&self, terms: &[Vec<u32>]) -> Option<Vec<Candidate>> {
        if terms.is_empty() {
            return None;
        }
        let n = self.entries.len();
        let mut alive: Option<Vec<Candidate>> = None;
        let mut counts = vec![0u16; n];
        let mut name_counts = vec![0u16; n];
        for grams in terms {
            if grams.is_empty() || alive.as_ref().is_some_and(Vec::is_empty) {
                // A term without letters matches nothing, as in `Query::score`; and once
                // nothing is left, the other terms cannot bring anything back.
                return Some(vec![]);
            }
            counts.iter_mut().for_each(|c| *c = 0);
            name_counts.iter_mut().for_each(|c| *c = 0);
            for g in grams {
                if let Some(list) = self.postings.get(g) {
                    for &i in list {
                        counts[i as usize] += 1;
                    }
                }
                if let Some(list) = self.name_postings.get(g) {
                    for &i in list {
                        name_counts[i as usize] += 1;
                    }
                }
            }
            let len = grams.len() as f32;
            let need = (MATCH * len).ceil() as u16;
            let name_share = |i: u32| {
                let c = name_counts[i as usize];
                if c >= need {
                    f32::from(c) / len
                } else {
                    f32::NEG_INFINITY
                }
            };
            alive = Some(match alive {
                None => (0..n as u32)
                    .filter(|&i| counts[i as usize] >= need)
                    .map(|i| Candidate {
                        entry: i,
                        text: f32::from(counts[i as usize]) / len,
                        name: name_share(i),
                    })
                    .collect(),
                Some(prev) => prev
                    .into_iter()
                    .filter(|c| counts[c.entry as usize] >= need)
                    .map(|c| Candidate {
                        text: c.text + f32::from(counts[c.entry as usize]) / len,
                        name: c.name + name_share(c.entry),
                        entry: c.entry,
                    })
                    .collect(),
            });
        }
        let k = terms.len() as f32;
        Some(
            alive
                .unwrap_or_default()
                .into_iter()
                .map(|c| Candidate {
                    entry: c.entry,
                    text: c.text / k,
                    name: (c.name / k).max(0.0),
                })
                .collect(),
        )
    }

    /// Every match, best first: relevance, lowered with distance, then the shorter wait,
    /// then the name. Only the first `limit` are sorted; the count is of all matches.
    pub fn search(&self, f: &Filter<'_>, limit: usize) -> (usize, Vec<Hit<'_>>) {
        let terms: Vec<Vec<u32>> = f.text.terms.iter().map(|t| search::trigrams(t)).collect();
        let none = u8::MAX - 1;
        let category = if f.category.is_empty() {
            none
        } else {
            position(CATEGORIES, f.category)
        };
        let route = if f.access_route.is_empty() {
            none
        } else {
            position(ACCESS_ROUTES, f.access_route)
        };
        let problem: Option<u16> =
            (!f.problem_area.is_empty()).then(|| match position(PROBLEM_AREAS, f.problem_area) {
                u8::MAX => 0,
                p => 1 << p.min(15),
            });
        let organisation = match f.organisation_id {
            None => None,
            Some(o) => match self.organisations.get(o) {
                Some(i) => Some(*i),
                None => return (0, vec![]),
            },
        };
        let place = f.place.map(|p| {
            (
                p.gemeente.as_deref().map(code_number),
                p.wijk.as_deref().map(code_number),
                p.postcode,
            )
        });
        let age = f.age;
        let max_wait = f
            .max_wait
            .map(|w| u16::try_from(w.clamp(0, i32::from(u16::MAX - 1))).unwrap_or(0));
        let keep = |i: u32| {
            let e = &self.hot[i as usize];
            organisation.is_none_or(|o| e.organisation == o)
                && age.is_none_or(|a| e.age_min <= a && a <= e.age_max)
                && (category == none || e.category == category)
                && (route == none || e.access_route == route)
                && problem.is_none_or(|p| e.problems & p != 0)
                && max_wait.is_none_or(|w| e.wait <= w)
                && place.is_none_or(|(gm, wk, pc)| {
                    let areas = &self.areas[e.areas.0 as usize..e.areas.1 as usize];
                    if areas.is_empty() {
                        return gm == Some(e.own_gm);
                    }
                    areas.iter().any(|a| match *a {
                        Coded::Gemeente(c) => gm == Some(c),
                        Coded::Wijk(c) => wk == Some(c),
                        Coded::Postcodes(lo, hi) => pc.is_some_and(|p| lo <= p && p <= hi),
                    })
                })
        };
        let cos_lat = f.from.map_or(1.0, |(lat, _)| lat.to_radians().cos());
        let rank = |i: u32, score: f32| {
            let e = &self.hot[i as usize];
            let distance_km = f.from.and_then(|here| {
                self.points[e.points.0 as usize..e.points.1 as usize]
                    .iter()
                    .map(|p| flat_km(here, *p, cos_lat))
                    .min_by(f64::total_cmp)
            });
            // Up to a third off for what is 30 km or more away.
            let far = distance_km.map_or(0.5, |d| (d / 30.0).min(1.0)) as f32;
            Ranked {
                key: score * (1.0 - far / 3.0),
                wait: e.wait,
                entry: i,
                score,
                distance_km,
            }
        };
        let mut ranked: Vec<Ranked> = match self.candidates(&terms) {
            Some(found) => found
                .into_iter()
                .filter(|c| keep(c.entry))
                // The name counts most: a word in the name beats the same word in the text.
                .map(|c| rank(c.entry, c.name.max(0.8 * c.text)))
                .collect(),
            None => (0..self.entries.len() as u32)
                .filter(|&i| keep(i))
                .map(|i| rank(i, 1.0))
                .collect(),
        };
        let total = ranked.len();
        // Entries are in name order (the database reads them so), so the entry number
        // breaks the last ties alphabetically.
        let order = |a: &Ranked, b: &Ranked| {
            b.key
                .total_cmp(&a.key)
                .then(a.wait.cmp(&b.wait))
                .then(a.entry.cmp(&b.entry))
        };
        if ranked.len() > limit && limit > 0 {
            ranked.select_nth_unstable_by(limit - 1, order);
            ranked.truncate(limit);
        }
        ranked.sort_by(order);
        (
            total,
            ranked
                .into_iter()
                .map(|r| Hit {
                    entry: &self.entries[r.entry as usize],
                    score: r.score,
                    distance_km: r.distance_km,
                })
                .collect(),
        )
    }
}

struct Ranked {
    key: f32,
    wait: u16,
    entry: u32,
    score: f32,
    distance_km: Option<f64>,
}

/// Distance for ranking within a region: the flat-earth approximation, within a fraction
/// of a percent of the great circle over tens of kilometres and without trigonometry per
/// service.
fn flat_km(a: (f64, f64), b: (f64, f64), cos_lat: f64) -> f64 {
    let dy = (b.0 - a.0).to_radians();
    let dx = (b.1 - a.1).to_radians() * cos_lat;
    6371.0 * (dx * dx + dy * dy).sqrt()
}

/// The index of this server, rebuilt when the directory's version moves on.
#[derive(Default)]
pub struct IndexCache {
    current: RwLock<Option<Arc<SearchIndex>>>,
    rebuild: tokio::sync::Mutex<()>,
}

impl IndexCache {
    pub async fn get(&self, db: &rondom_db::Db) -> Result<Arc<SearchIndex>, DbError> {
        self.get_at(db, None).await
    }

    /// As `get`, with the version when the caller read it already (the session query
    /// does, for pages).
    pub async fn get_at(
        &self,
        db: &rondom_db::Db,
        known: Option<i64>,
    ) -> Result<Arc<SearchIndex>, DbError> {
        let version = match known {
            Some(v) => v,
            None => db.read(directory::version).await?,
        };
        if let Some(i) = self.fresh(version) {
            return Ok(i);
        }
        // One rebuild at a time; whoever waited finds it done.
        let _guard = self.rebuild.lock().await;
        let version = db.read(directory::version).await?;
        if let Some(i) = self.fresh(version) {
            return Ok(i);
        }
        let index = Arc::new(db.read(SearchIndex::load).await?);
        if let Ok(mut slot) = self.current.write() {
            *slot = Some(index.clone());
        }
        Ok(index)
    }

    fn fresh(&self, version: i64) -> Option<Arc<SearchIndex>> {
        self.current
            .read()
            .ok()
            .and_then(|c| c.as_ref().filter(|i| i.version == version).cloned())
    }
}
