//! The areas a service covers and the place someone searches from: CBS gemeente and wijk
//! codes and ranges of four-digit postcode numbers, plus the distance between two points.

use crate::validate::ValidationError;

/// One area a service covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Area {
    /// CBS gemeente code, "GM0363".
    Gemeente(String),
    /// CBS wijk code, "WK036301".
    Wijk(String),
    /// Postcode numbers from..=to.
    Postcodes(u16, u16),
}

impl Area {
    /// From its stored or exchanged form: kind `gemeente`, `wijk` or `postcode` and a code.
    pub fn parse(kind: &str, code: &str) -> Result<Self, ValidationError> {
        let code = code.trim();
        let bad = |m: &str| ValidationError::new("service_areas", m);
        match kind {
            "gemeente" => crate::validate::GemeenteCode::parse(code)
                .map(|c| Self::Gemeente(c.into_inner()))
                .map_err(|_| bad("Een gemeentecode is GM met vier cijfers, zoals GM0363.")),
            "wijk" => crate::validate::WijkCode::parse(code)
                .map(|c| Self::Wijk(c.into_inner()))
                .map_err(|_| bad("Een wijkcode is WK met zes cijfers, zoals WK036301.")),
            "postcode" => {
                let (from, to) = parse_range(code).ok_or_else(|| {
                    bad("Een postcodegebied is een getal van vier cijfers of een reeks zoals 1011-1019.")
                })?;
                Ok(Self::Postcodes(from, to))
            }
            _ => Err(bad("Kies als soort gebied gemeente, wijk of postcode.")),
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Self::Gemeente(_) => "gemeente",
            Self::Wijk(_) => "wijk",
            Self::Postcodes(..) => "postcode",
        }
    }

    pub fn code(&self) -> String {
        match self {
            Self::Gemeente(c) | Self::Wijk(c) => c.clone(),
            Self::Postcodes(a, b) if a == b => a.to_string(),
            Self::Postcodes(a, b) => format!("{a}-{b}"),
        }
    }

    /// Dutch, for pages: "gemeente GM9999", "wijk WK999901", "postcodes 9990–9993".
    pub fn label(&self) -> String {
        match self {
            Self::Gemeente(c) => format!("gemeente {c}"),
            Self::Wijk(c) => format!("wijk {c}"),
            Self::Postcodes(a, b) if a == b => format!("postcode {a}"),
            Self::Postcodes(a, b) => format!("postcodes {a}–{b}"),
        }
    }

    pub fn covers(&self, place: &Place) -> bool {
        match self {
            Self::Gemeente(c) => place.gemeente.as_deref() == Some(c.as_str()),
            Self::Wijk(c) => place.wijk.as_deref() == Some(c.as_str()),
            Self::Postcodes(a, b) => place.postcode.is_some_and(|p| *a <= p && p <= *b),
        }
    }
}

fn parse_range(code: &str) -> Option<(u16, u16)> {
    let one = |s: &str| {
        let s = s.trim();
        (s.len() == 4 && !s.starts_with('0') && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u16>().ok())
            .flatten()
    };
    let (a, b) = match code.split_once('-') {
        Some((a, b)) => (one(a)?, one(b)?),
        None => {
            let a = one(code)?;
            (a, a)
        }
    };
    (a <= b).then_some((a, b))
}

/// A list of postcode ranges as districts store it: "9901-9904,9910".
pub fn parse_ranges(list: &str) -> Vec<(u16, u16)> {
    list.split(',').filter_map(parse_range).collect()
}

/// The four-digit number of a Dutch postcode ("9901 AB", "9901ab", "9901").
pub fn postcode_number(input: &str) -> Option<u16> {
    let digits: String = input.trim().chars().take(4).collect();
    parse_range(&digits).map(|(a, _)| a)
}

/// Where someone searches from: as much as is known of gemeente, wijk, postcode and
/// coordinates.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Place {
    pub gemeente: Option<String>,
    pub wijk: Option<String>,
    pub postcode: Option<u16>,
    pub point: Option<(f64, f64)>,
}

/// Whether a service with these areas is available at `place`. A service that names no
/// area is available in the gemeente of its organisation.
pub fn available(areas: &[Area], own_gemeente: &str, place: &Place) -> bool {
    if areas.is_empty() {
        return place.gemeente.as_deref() == Some(own_gemeente);
    }
    areas.iter().any(|a| a.covers(place))
}

/// Great-circle distance in kilometres between two (latitude, longitude) points.
pub fn distance_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, lo1, la2, lo2) = (
        a.0.to_radians(),
        a.1.to_radians(),
        b.0.to_radians(),
        b.1.to_radians(),
    );
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().asin()
}

/// Latitude and longitude as HSDS and our forms accept them: within the Earth's ranges.
pub fn valid_point(lat: f64, lon: f64) -> bool {
    lat.is_finite()
        && lon.is_finite()
        && (-90.0..=90.0).contains(&lat)
        && (-180.0..=180.0).contains(&lon)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(gm: &str, wk: &str, pc: u16) -> Place {
        Place {
            gemeente: Some(gm.into()),
            wijk: Some(wk.into()),
            postcode: Some(pc),
            point: None,
        }
    }

    #[test]
    fn areas_parse_and_print_back() {
        for (kind, code) in [
            ("gemeente", "GM0363"),
            ("wijk", "WK036301"),
            ("postcode", "1011-1019"),
            ("postcode", "9990"),
        ] {
            let a = Area::parse(kind, code)
                .map_err(|e| e.message)
                .unwrap_or_else(|m| Area::Gemeente(format!("failed: {m}")));
            assert_eq!((a.kind(), a.code()), (kind, code.to_owned()));
        }
        for (kind, code) in [
            ("gemeente", "0363"),
            ("wijk", "WK0363"),
            ("postcode", "1019-1011"),
            ("postcode", "0999"),
            ("postcode", "12345"),
            ("postcode", "+123"),
            ("provincie", "NH"),
        ] {
            assert!(Area::parse(kind, code).is_err(), "{kind} {code} is refused");
        }
    }

    #[test]
    fn an_area_covers_the_places_inside_it() {
        let p = place("GM9999", "WK999902", 9992);
        assert!(Area::Gemeente("GM9999".into()).covers(&p));
        assert!(!Area::Gemeente("GM9998".into()).covers(&p));
        assert!(Area::Wijk("WK999902".into()).covers(&p));
        assert!(!Area::Wijk("WK999903".into()).covers(&p));
        assert!(Area::Postcodes(9990, 9993).covers(&p));
        assert!(!Area::Postcodes(9994, 9999).covers(&p));
    }

    #[test]
    fn a_service_without_areas_serves_its_own_gemeente() {
        let inside = place("GM9999", "WK999901", 9990);
        let outside = place("GM0363", "WK036301", 1011);
        assert!(available(&[], "GM9999", &inside));
        assert!(!available(&[], "GM9999", &outside));
        let areas = [Area::Postcodes(1000, 1099)];
        assert!(available(&areas, "GM9999", &outside));
        assert!(!available(&areas, "GM9999", &inside));
    }

    #[test]
    fn postcode_numbers_and_ranges() {
        assert_eq!(postcode_number("9901 AB"), Some(9901));
        assert_eq!(postcode_number("9901ab"), Some(9901));
        assert_eq!(postcode_number("99"), None);
        assert_eq!(
            parse_ranges("9901-9904, 9910,bad"),
            vec![(9901, 9904), (9910, 9910)]
        );
    }

    #[test]
    fn distances_are_in_kilometres() {
        // Amsterdam Centraal to Utrecht Centraal: about 35 km as the crow flies.
        let d = distance_km((52.3791, 4.9003), (52.0894, 5.1101));
        assert!((34.0..37.0).contains(&d), "{d}");
        assert!(distance_km((52.0, 5.0), (52.0, 5.0)) < 1e-9);
        assert!(valid_point(52.0, 5.0));
        assert!(!valid_point(95.0, 5.0));
    }
}
