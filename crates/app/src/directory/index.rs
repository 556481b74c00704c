//! The search index of the sociale kaart, kept in memory per app server.
//!
//! Each entry holds a service with its areas and coordinates, and its kind of help,
//! access route, problem areas and areas encoded as small integers so that filtering
//! 20,000 services compares numbers, not strings. One vocabulary holds every distinct
//! word of all services; a query term is matched against the vocabulary (a few thousand
//! words, not 20,000 texts), and each matched word's postings name the services that
//! use it and where (name, problem area, description, organisation), so a term's
//! candidates and scores come without touching the other services.
//!
//! Copies of one course (the same organisation, kind of help and description, given in
//! several wijken) form a group; the page shows a group once, with its places.
//!
//! The index is a cache, not state: every search reads the directory's version counter
//! (bumped in the transaction of every change, whichever server made it) and rebuilds
//! the index when it moved, so several servers behind a load balancer agree.

use rondom_db::directory::{self, ServiceRow};
use rondom_db::organisations::District;
use rondom_db::{AnyConnection, DbError};
use rondom_domain::area::{self, Area, Place};
use rondom_domain::catalogue::{self, ACCESS_ROUTES, CATEGORIES, PROBLEM_AREAS};
use rondom_domain::search::{Query, Vocabulary, words};
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
    /// The course this service is a copy of (see the module's comment).
    group: u32,
    /// Light and preventive help first, where it fits: a factor on the relevance.
    light: f32,
}

/// Where a word stands in a service, and how much a match there counts: a word of the
/// name says what the service is; one of its problem areas, what it is for; the
/// description and the organisation's name, less.
const FIELD_WEIGHT: [f32; 4] = [1.0, 0.8, 0.6, 0.5];

/// "Dichtbij, licht en preventief als het kan": specialised care ranks a little below
/// light help that fits as well, never below help that fits worse.
fn lightness(category: &str) -> f32 {
    if category == "specialistisch" {
        0.85
    } else {
        1.0
    }
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
    vocabulary: Vocabulary,
    /// Per word of the vocabulary: the services using it, with the field it is in
    /// (best first: an index into `FIELD_WEIGHT`).
    postings: Vec<Vec<(u32, u8)>>,
    /// Per group: its services, in name order.
    groups: Vec<Vec<u32>>,
    /// Municipality names by CBS code, for naming areas.
    gemeente_names: HashMap<String, String>,
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
    /// Show each course once, with its copies elsewhere (the page), or every service
    /// on its own (the APIs, whose clients want every record).
    pub fold_copies: bool,
}

pub struct Hit<'a> {
    pub entry: &'a Entry,
    pub score: f32,
    pub distance_km: Option<f64>,
    /// The same course elsewhere that also matches, in name order (only when copies
    /// are folded).
    pub copies: Vec<&'a Entry>,
}

/// A search's matches, and what to tell about its words.
pub struct Found<'a> {
    /// All matches (each course once when copies are folded).
    pub total: usize,
    /// The best `limit`, best first.
    pub hits: Vec<Hit<'a>>,
    /// False when no service has every word and the matches have some of them.
    pub every_word: bool,
    /// Words no service uses in any form, left out of the search ("slecht" in "slecht
    /// slapen"); empty when no word is used at all (then nothing is found).
    pub unknown_words: Vec<String>,
}

/// The text part of a search: per service its score, and what to tell about the words.
struct TextScores {
    scores: Vec<(u32, f32)>,
    every_word: bool,
    unknown: Vec<String>,
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
            if o.kind == rondom_domain::OrganisationKind::Gemeente {
                index
                    .gemeente_names
                    .entry(o.gemeente_code.clone())
                    .or_insert_with(|| o.name.clone());
            }
        }
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
        let mut vocabulary = Vocabulary::default();
        let mut postings: Vec<Vec<(u32, u8)>> = Vec::new();
        let mut group_of: HashMap<(u32, &'static str, String), u32> = HashMap::new();
        let mut groups: Vec<Vec<u32>> = Vec::new();
        let mut organisations: HashMap<String, u32> = HashMap::new();
        let mut hot = Vec::with_capacity(rows.len());
        let mut all_areas = Vec::new();
        let mut all_points = Vec::new();
        let mut used: HashMap<u32, u8> = HashMap::new();
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
                // Each word once per service, in the best field it stands in.
                used.clear();
                let fields = [
                    row.name.as_str(),
                    &labels.join(" "),
                    row.description.as_str(),
                    row.organisation_name.as_str(),
                ];
                for (field, text) in fields.iter().enumerate() {
                    for w in words(text) {
                        let id = vocabulary.add(&w);
                        let f = used.entry(id).or_insert(field as u8);
                        *f = (*f).min(field as u8);
                    }
                }
                for (&id, &field) in &used {
                    if postings.len() <= id as usize {
                        postings.resize_with(id as usize + 1, Vec::new);
                    }
                    postings[id as usize].push((i, field));
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
                let category = position(CATEGORIES, &row.category);
                let next = groups.len() as u32;
                let group = *group_of
                    .entry((
                        organisation,
                        CATEGORIES.get(usize::from(category)).map_or("", |c| c.0),
                        format!("{}|{}|{}", row.age_min, row.age_max, row.description),
                    ))
                    .or_insert(next);
                if group == next {
                    groups.push(Vec::new());
                }
                if let Some(g) = groups.get_mut(group as usize) {
                    g.push(i);
                }
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
                    category,
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
                    group,
                    light: lightness(&row.category),
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
        vocabulary.finish();
        postings.resize_with(vocabulary.len(), Vec::new);
        Self {
            version,
            entries,
            districts,
            homes: HashMap::new(),
            vocabulary,
            postings,
            groups,
            gemeente_names: HashMap::new(),
            organisations,
            hot,
            areas: all_areas,
            points: all_points,
        }
    }

    /// How many distinct words the services use.
    pub fn vocabulary_size(&self) -> usize {
        self.vocabulary.len()
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

    /// The services every term of the query is found in, with the mean of the terms'
    /// best matches (each weighed by the field it is in); `None` when the query has no
    /// text. A term no service uses at all ("slecht" in "slecht slapen") is left out
    /// rather than emptying the result; the page says so (`Found::unknown_words`).
    fn text_scores(&self, query: &Query) -> Option<TextScores> {
        if query.terms.is_empty() {
            return None;
        }
        let mut unknown = Vec::new();
        let mut matched: Vec<Vec<(u32, f32)>> = Vec::with_capacity(query.terms.len());
        for t in &query.terms {
            let m = self.vocabulary.matches(t);
            if m.is_empty() {
                unknown.push(t.word().to_owned());
            } else {
                matched.push(m);
            }
        }
        if matched.is_empty() {
            // Nothing is found, and that is all there is to say.
            unknown.clear();
        }
        let all = self.scores_of(&matched, true);
        if !all.is_empty() || matched.len() < 2 {
            return Some(TextScores {
                scores: all,
                every_word: true,
                unknown,
            });
        }
        // No service has every word ("druk kind"): the services with most of them, each
        // missing word counting as nothing, and the page says so.
        Some(TextScores {
            scores: self.scores_of(&matched, false),
            every_word: false,
            unknown,
        })
    }

    /// Per service: the mean over the terms of its best match of each (weighed by the
    /// field the word is in). With `every`, only services that have every term;
    /// without, a service with some of them, each term weighed by how rare it is (so
    /// that in "druk kind" the word that says what is wrong counts more than the word
    /// nearly every service of youth care has).
    fn scores_of(&self, matched: &[Vec<(u32, f32)>], every: bool) -> Vec<(u32, f32)> {
        if matched.is_empty() {
            return vec![];
        }
        let n = self.entries.len();
        let mut total = vec![0f32; n];
        let mut found = vec![0u8; n];
        let mut best = vec![0f32; n];
        let mut touched: Vec<u32> = Vec::new();
        let mut weights = 0.0f32;
        for (k, words) in matched.iter().enumerate() {
            for &(word, strength) in words {
                for &(e, field) in self.postings.get(word as usize).into_iter().flatten() {
                    // With `every`, only services that found every earlier term can
                    // still qualify.
                    if every && usize::from(found[e as usize]) != k {
                        continue;
                    }
                    let s = strength * FIELD_WEIGHT[usize::from(field).min(3)];
                    let b = &mut best[e as usize];
                    if *b == 0.0 {
                        touched.push(e);
                    }
                    if s > *b {
                        *b = s;
                    }
                }
            }
            if every && touched.is_empty() {
                return vec![];
            }
            let weight = if every {
                1.0
            } else {
                (1.0 + n as f32 / touched.len().max(1) as f32).ln()
            };
            weights += weight;
            for e in touched.drain(..) {
                let e = e as usize;
                found[e] = found[e].saturating_add(1);
                total[e] += best[e] * weight;
                best[e] = 0.0;
            }
        }
        let need = if every { matched.len() } else { 1 };
        let weights = weights.max(f32::EPSILON);
        (0..n as u32)
            .filter(|&e| usize::from(found[e as usize]) >= need)
            .map(|e| (e, total[e as usize] / weights))
            .collect()
    }

    /// Every match, best first: relevance, lowered with distance, then the shorter wait,
    /// then the name. Only the first `limit` are sorted; the count is of all matches.
    pub fn search(&self, f: &Filter<'_>, limit: usize) -> (usize, Vec<Hit<'_>>) {
        let found = self.find(f, limit);
        (found.total, found.hits)
    }

    /// As `search`, with what the page says about the words besides.
    pub fn find(&self, f: &Filter<'_>, limit: usize) -> Found<'_> {
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
                None => {
                    return Found {
                        total: 0,
                        hits: vec![],
                        every_word: true,
                        unknown_words: vec![],
                    };
                }
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
                key: score * e.light * (1.0 - far / 3.0),
                wait: e.wait,
                entry: i,
                score,
                distance_km,
            }
        };
        let mut every_word = true;
        let mut unknown_words = Vec::new();
        let mut ranked: Vec<Ranked> = match self.text_scores(f.text) {
            Some(t) => {
                every_word = t.every_word;
                unknown_words = t.unknown;
                t.scores
                    .into_iter()
                    .filter(|(e, _)| keep(*e))
                    .map(|(e, score)| rank(e, score))
                    .collect()
            }
            None => (0..self.entries.len() as u32)
                .filter(|&i| keep(i))
                .map(|i| rank(i, 1.0))
                .collect(),
        };
        // Entries are in name order (the database reads them so), so the entry number
        // breaks the last ties alphabetically.
        let order = |a: &Ranked, b: &Ranked| {
            b.key
                .total_cmp(&a.key)
                .then(a.wait.cmp(&b.wait))
                .then(a.entry.cmp(&b.entry))
        };
        let all = if f.fold_copies {
            let best = self.best_of_groups(&ranked, order);
            let all = std::mem::take(&mut ranked);
            ranked = all
                .iter()
                .filter(|r| best[self.hot[r.entry as usize].group as usize] == r.entry)
                .map(Ranked::clone)
                .collect();
            all
        } else {
            vec![]
        };
        let total = ranked.len();
        if ranked.len() > limit && limit > 0 {
            ranked.select_nth_unstable_by(limit - 1, order);
            ranked.truncate(limit);
        }
        ranked.sort_by(order);
        let mut copies = if f.fold_copies {
            self.copies_of(&ranked, &all)
        } else {
            vec![]
        };
        copies.resize_with(ranked.len(), Vec::new);
        let hits = ranked
            .into_iter()
            .zip(copies)
            .map(|(r, copies)| Hit {
                entry: &self.entries[r.entry as usize],
                score: r.score,
                distance_km: r.distance_km,
                copies,
            })
            .collect();
        Found {
            total,
            hits,
            every_word,
            unknown_words,
        }
    }

    /// Per group, the entry of its best-ranked match (`u32::MAX` when none matched).
    fn best_of_groups(
        &self,
        ranked: &[Ranked],
        order: impl Fn(&Ranked, &Ranked) -> std::cmp::Ordering,
    ) -> Vec<u32> {
        let mut best: Vec<Option<&Ranked>> = vec![None; self.groups.len()];
        for r in ranked {
            let slot = &mut best[self.hot[r.entry as usize].group as usize];
            if slot.is_none_or(|b| order(r, b).is_lt()) {
                *slot = Some(r);
            }
        }
        best.into_iter()
            .map(|b| b.map_or(u32::MAX, |r| r.entry))
            .collect()
    }

    /// Per shown match: the other matches of its group, in name order.
    fn copies_of(&self, shown: &[Ranked], all: &[Ranked]) -> Vec<Vec<&Entry>> {
        let at: HashMap<u32, usize> = shown
            .iter()
            .enumerate()
            .map(|(i, r)| (self.hot[r.entry as usize].group, i))
            .collect();
        let mut copies: Vec<Vec<u32>> = vec![vec![]; shown.len()];
        for r in all {
            if let Some(&i) = at.get(&self.hot[r.entry as usize].group)
                && shown[i].entry != r.entry
            {
                copies[i].push(r.entry);
            }
        }
        copies
            .into_iter()
            .map(|mut list| {
                list.sort_unstable();
                list.into_iter()
                    .map(|i| &self.entries[i as usize])
                    .collect()
            })
            .collect()
    }

    /// What a person calls an area: "wijk Noord", "Gemeente Voorbeeld", "postcodes
    /// 9990–9993"; the code only when no name is known.
    pub fn area_name(&self, area: &Area) -> String {
        match area {
            Area::Gemeente(c) => self
                .gemeente_names
                .get(c)
                .cloned()
                .unwrap_or_else(|| area.label()),
            Area::Wijk(c) => self
                .districts
                .iter()
                .find(|d| d.code == *c)
                .map_or_else(|| area.label(), |d| format!("wijk {}", d.name)),
            Area::Postcodes(..) => area.label(),
        }
    }

    /// The areas a werkgebied is chosen from: each municipality known here with its
    /// wijken, by name, valued as a werkgebied line ("wijk WK999901").
    pub fn area_choices(&self) -> Vec<AreaChoice> {
        let mut codes: Vec<&str> = self
            .gemeente_names
            .keys()
            .map(String::as_str)
            .chain(self.districts.iter().map(|d| d.gemeente_code.as_str()))
            .collect();
        codes.sort_unstable();
        codes.dedup();
        let gemeente = |c: &str| self.area_name(&Area::Gemeente(c.to_owned()));
        codes.sort_by_key(|c| gemeente(c));
        let mut out = Vec::new();
        for code in codes {
            out.push(AreaChoice {
                value: format!("gemeente {code}"),
                label: format!("{} (de hele gemeente)", gemeente(code)),
                wijk: false,
            });
            let mut wijken: Vec<&District> = self
                .districts
                .iter()
                .filter(|d| d.gemeente_code == code)
                .collect();
            wijken.sort_by(|a, b| a.name.cmp(&b.name));
            out.extend(wijken.into_iter().map(|d| AreaChoice {
                value: format!("wijk {}", d.code),
                label: format!("wijk {}", d.name),
                wijk: true,
            }));
        }
        out
    }

    /// Where a service is given, in words: its areas, or its organisation's gemeente.
    pub fn places_of(&self, entry: &Entry) -> Vec<String> {
        if entry.areas.is_empty() {
            return vec![self.area_name(&Area::Gemeente(entry.own_gemeente.clone()))];
        }
        entry.areas.iter().map(|a| self.area_name(a)).collect()
    }
}

/// An area to tick in a werkgebied.
pub struct AreaChoice {
    /// As a werkgebied line: "gemeente GM9999", "wijk WK999901".
    pub value: String,
    pub label: String,
    /// A wijk, shown under its municipality.
    pub wijk: bool,
}

#[derive(Clone)]
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
