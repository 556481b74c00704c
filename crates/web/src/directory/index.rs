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
    name_doc: Document,
    all_doc: Document,
}

pub struct SearchIndex {
    pub version: i64,
    pub entries: Vec<Entry>,
    pub districts: Vec<District>,
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
        let locations: HashMap<String, (f64, f64)> = directory::locations_of(conn, None)?
            .into_iter()
            .filter_map(|l| Some((l.id, (l.latitude?, l.longitude?))))
            .collect();
        let mut points: HashMap<String, Vec<(f64, f64)>> = HashMap::new();
        for (service, location) in directory::service_location_links(conn, None)? {
            if let Some(p) = locations.get(&location) {
                points.entry(service).or_default().push(*p);
            }
        }
        let gemeenten: HashMap<String, String> = rondom_db::organisations::list(conn)?
            .into_iter()
            .map(|o| (o.id, o.gemeente_code))
            .collect();
        let districts = rondom_db::organisations::districts(conn)?;
        Ok(Self::build(
            version, rows, areas, points, &gemeenten, districts,
        ))
    }

    fn build(
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
                Entry {
                    name_doc: Document::new(&row.name),
                    all_doc,
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

    /// Entries that contain every text term well enough, found through the postings;
    /// `None` when the query has no text (every entry is a candidate).
    fn candidates(&self, text: &Query) -> Option<Vec<u32>> {
        if text.terms.is_empty() {
            return None;
        }
        let mut result: Option<Vec<u32>> = None;
        let mut counts = vec![0u16; self.entries.len()];
        for term in &text.terms {
            let grams = search::trigrams(term);
            if grams.is_empty() {
                continue;
            }
            counts.iter_mut().for_each(|c| *c = 0);
            for g in &grams {
                if let Some(list) = self.postings.get(g) {
                    for &i in list {
                        counts[i as usize] += 1;
                    }
                }
            }
            let need = (MATCH * grams.len() as f32).ceil() as u16;
            let found: Vec<u32> = match &result {
                None => (0..self.entries.len() as u32)
                    .filter(|&i| counts[i as usize] >= need)
                    .collect(),
                Some(prev) => prev
                    .iter()
                    .copied()
                    .filter(|&i| counts[i as usize] >= need)
                    .collect(),
            };
            result = Some(found);
        }
        Some(result.unwrap_or_default())
    }

    /// Every match, best first: relevance, lowered with distance, then the shorter wait,
    /// then the name. Only the first `limit` are sorted; the count is of all matches.
    pub fn search(&self, f: &Filter<'_>, limit: usize) -> (usize, Vec<Hit<'_>>) {
        let candidates = self.candidates(f.text);
        let iter: Box<dyn Iterator<Item = &Entry>> = match &candidates {
            Some(ids) => Box::new(ids.iter().map(|&i| &self.entries[i as usize])),
            None => Box::new(self.entries.iter()),
        };
        let mut hits: Vec<Hit<'_>> = iter
            .filter(|e| f.organisation_id.is_none_or(|o| e.row.organisation_id == o))
            .filter(|e| {
                f.age
                    .is_none_or(|a| e.row.age_min <= i32::from(a) && i32::from(a) <= e.row.age_max)
            })
            .filter(|e| f.category.is_empty() || e.row.category == f.category)
            .filter(|e| f.access_route.is_empty() || e.row.access_route == f.access_route)
            .filter(|e| f.problem_area.is_empty() || e.problem_areas.contains(&f.problem_area))
            .filter(|e| {
                f.max_wait
                    .is_none_or(|w| e.row.wait_weeks.is_some_and(|rw| rw <= w))
            })
            .filter(|e| {
                f.place
                    .is_none_or(|p| area::available(&e.areas, &e.own_gemeente, p))
            })
            .filter_map(|e| {
                let score = if f.text.terms.is_empty() {
                    1.0
                } else {
                    // The name counts most: a word in the name beats the same word in the text.
                    f.text
                        .score(&e.name_doc)
                        .max(0.8 * f.text.score(&e.all_doc))
                };
                if score <= 0.0 {
                    return None;
                }
                let distance_km = f.from.and_then(|here| {
                    e.points
                        .iter()
                        .map(|p| area::distance_km(here, *p))
                        .min_by(f64::total_cmp)
                });
                Some(Hit {
                    entry: e,
                    score,
                    distance_km,
                })
            })
            .collect();
        let total = hits.len();
        let key = |h: &Hit<'_>| {
            // Up to a third off for what is 30 km or more away.
            let far = h.distance_km.map_or(0.5, |d| (d / 30.0).min(1.0)) as f32;
            h.score * (1.0 - far / 3.0)
        };
        let order = |a: &Hit<'_>, b: &Hit<'_>| {
            key(b)
                .total_cmp(&key(a))
                .then(
                    a.entry
                        .row
                        .wait_weeks
                        .unwrap_or(i32::MAX)
                        .cmp(&b.entry.row.wait_weeks.unwrap_or(i32::MAX)),
                )
                .then_with(|| a.entry.row.name.cmp(&b.entry.row.name))
                .then_with(|| a.entry.row.id.cmp(&b.entry.row.id))
        };
        if hits.len() > limit && limit > 0 {
            hits.select_nth_unstable_by(limit - 1, order);
            hits.truncate(limit);
        }
        hits.sort_by(order);
        (total, hits)
    }
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
