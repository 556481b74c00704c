//! The search index of the sociale kaart, kept in memory per app server.
//!
//! Each entry holds a service with its prepared text, areas and coordinates; an inverted
//! index from trigram to entries narrows a text search to the services that can match.
//! The index is a cache, not state: every search reads the directory's version counter
//! (bumped in the transaction of every change, whichever server made it) and rebuilds
//! the index when it moved, so several servers behind a load balancer agree.

use rondom_db::directory::{self, ServiceRow};
use rondom_db::organisations::District;
use rondom_db::{AnyConnection, DbError};
use rondom_domain::area::{self, Area, Place};
use rondom_domain::catalogue::{self, PROBLEM_AREAS};
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
    /// The trigrams of the name, sorted (the whole text lives in the postings).
    name_grams: Vec<u32>,
}

pub struct SearchIndex {
    pub version: i64,
    pub entries: Vec<Entry>,
    pub districts: Vec<District>,
    /// Where each organisation works (for nearness and "wijk van mijn praktijk").
    pub homes: HashMap<String, Place>,
    postings: HashMap<u32, Vec<u32>>,
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

impl SearchIndex {
    pub fn load(conn: &mut AnyConnection) -> Result<Self, DbError> {
        let version = directory::version(conn)?;
        let rows = directory::all_services(conn)?;
        let mut areas: HashMap<String, Vec<Area>> = HashMap::new();
        for a in directory::areas_of(conn, None)? {
            if let Ok(parsed) = Area::parse(&a.kind, &a.code) {
                areas.entry(a.service_id).or_default().push(parsed);
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
            .filter_map(|l| Some((l.id.clone(), (l.latitude?, l.longitude?))))
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
            .map(|o| (o.id.clone(), o.gemeente_code.clone()))
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
            index.homes.insert(o.id.clone(), place);
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
        let entries: Vec<Entry> = rows
            .into_iter()
            .enumerate()
            .map(|(i, row)| {
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
                    postings.entry(*g).or_default().push(i as u32);
                }
                let mut name_grams: Vec<u32> = Document::new(&row.name).grams.into_iter().collect();
                name_grams.sort_unstable();
                Entry {
                    name_grams,
                    areas: areas.remove(&row.id).unwrap_or_default(),
                    points: points.remove(&row.id).unwrap_or_default(),
                    own_gemeente: gemeenten
                        .get(&row.organisation_id)
                        .cloned()
                        .unwrap_or_default(),
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
        }
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

    /// The entries that contain every text term well enough, each with its text score
    /// (the mean share of the terms' trigrams found, as `Query::score` computes it),
    /// counted through the postings; `None` when the query has no text.
    fn candidates(&self, terms: &[Vec<u32>]) -> Option<Vec<(u32, f32)>> {
        if terms.is_empty() {
            return None;
        }
        let n = self.entries.len();
        let mut alive: Option<Vec<(u32, f32)>> = None;
        let mut counts = vec![0u16; n];
        for grams in terms {
            if grams.is_empty() {
                // A term without letters matches nothing, as in `Query::score`.
                return Some(vec![]);
            }
            counts.iter_mut().for_each(|c| *c = 0);
            for g in grams {
                if let Some(list) = self.postings.get(g) {
                    for &i in list {
                        counts[i as usize] += 1;
                    }
                }
            }
            let len = grams.len() as f32;
            let need = (MATCH * len).ceil() as u16;
            let share = |i: u32| f32::from(counts[i as usize]) / len;
            alive = Some(match alive {
                None => (0..n as u32)
                    .filter(|&i| counts[i as usize] >= need)
                    .map(|i| (i, share(i)))
                    .collect(),
                Some(prev) => prev
                    .into_iter()
                    .filter(|&(i, _)| counts[i as usize] >= need)
                    .map(|(i, s)| (i, s + share(i)))
                    .collect(),
            });
        }
        let k = terms.len() as f32;
        Some(
            alive
                .unwrap_or_default()
                .into_iter()
                .map(|(i, s)| (i, s / k))
                .collect(),
        )
    }

    /// Every match, best first: relevance, lowered with distance, then the shorter wait,
    /// then the name. Only the first `limit` are sorted; the count is of all matches.
    pub fn search(&self, f: &Filter<'_>, limit: usize) -> (usize, Vec<Hit<'_>>) {
        let terms: Vec<Vec<u32>> = f.text.terms.iter().map(|t| search::trigrams(t)).collect();
        let candidates = self.candidates(&terms);
        let iter: Box<dyn Iterator<Item = (&Entry, f32)>> = match &candidates {
            Some(found) => Box::new(found.iter().map(|&(i, s)| (&self.entries[i as usize], s))),
            None => Box::new(self.entries.iter().map(|e| (e, 1.0))),
        };
        let cos_lat = f.from.map_or(1.0, |(lat, _)| lat.to_radians().cos());
        let mut hits: Vec<(f32, Hit<'_>)> = iter
            .filter(|(e, _)| f.organisation_id.is_none_or(|o| e.row.organisation_id == o))
            .filter(|(e, _)| {
                f.age
                    .is_none_or(|a| e.row.age_min <= i32::from(a) && i32::from(a) <= e.row.age_max)
            })
            .filter(|(e, _)| f.category.is_empty() || e.row.category == f.category)
            .filter(|(e, _)| f.access_route.is_empty() || e.row.access_route == f.access_route)
            .filter(|(e, _)| f.problem_area.is_empty() || e.problem_areas.contains(&f.problem_area))
            .filter(|(e, _)| {
                f.max_wait
                    .is_none_or(|w| e.row.wait_weeks.is_some_and(|rw| rw <= w))
            })
            .filter(|(e, _)| {
                f.place
                    .is_none_or(|p| area::available(&e.areas, &e.own_gemeente, p))
            })
            .map(|(e, text_score)| {
                let score = if terms.is_empty() {
                    1.0
                } else {
                    // The name counts most: a word in the name beats the same word in the text.
                    name_score(&terms, &e.name_grams).max(0.8 * text_score)
                };
                let distance_km = f.from.and_then(|here| {
                    e.points
                        .iter()
                        .map(|p| flat_km(here, *p, cos_lat))
                        .min_by(f64::total_cmp)
                });
                // Up to a third off for what is 30 km or more away.
                let far = distance_km.map_or(0.5, |d| (d / 30.0).min(1.0)) as f32;
                let key = score * (1.0 - far / 3.0);
                (
                    key,
                    Hit {
                        entry: e,
                        score,
                        distance_km,
                    },
                )
            })
            .collect();
        let total = hits.len();
        let order = |a: &(f32, Hit<'_>), b: &(f32, Hit<'_>)| {
            b.0.total_cmp(&a.0)
                .then(
                    a.1.entry
                        .row
                        .wait_weeks
                        .unwrap_or(i32::MAX)
                        .cmp(&b.1.entry.row.wait_weeks.unwrap_or(i32::MAX)),
                )
                .then_with(|| a.1.entry.row.name.cmp(&b.1.entry.row.name))
                .then_with(|| a.1.entry.row.id.cmp(&b.1.entry.row.id))
        };
        if hits.len() > limit && limit > 0 {
            hits.select_nth_unstable_by(limit - 1, order);
            hits.truncate(limit);
        }
        hits.sort_by(order);
        (total, hits.into_iter().map(|(_, h)| h).collect())
    }
}

/// `Query::score` against a name's sorted trigrams.
fn name_score(terms: &[Vec<u32>], name: &[u32]) -> f32 {
    let mut total = 0.0;
    for grams in terms {
        let found = grams
            .iter()
            .filter(|g| name.binary_search(g).is_ok())
            .count();
        let s = found as f32 / grams.len().max(1) as f32;
        if s < MATCH {
            return 0.0;
        }
        total += s;
    }
    total / terms.len().max(1) as f32
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
        let version = db.read(directory::version).await?;
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
