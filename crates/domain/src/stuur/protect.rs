//! Statistical disclosure control: no figure may point at one child. Counts from 1 to 4
//! are shown as "<5" (primary suppression); a count that could be worked out from a
//! line's total and its other cells is hidden too (secondary suppression); every count
//! shown is rounded to a multiple of five, so that subtracting the figures of two
//! overlapping filters (a year minus three quarters, a municipality minus its other
//! districts) never gives a small count exactly; and a share is shown only when both
//! the counted and the rest are at least five.

/// Counts below this are never shown.
pub const THRESHOLD: u64 = 5;

/// A count as it may be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    Zero,
    /// 1 to 4: shown as "<5".
    Small,
    /// Hidden because it could be worked out from its neighbours.
    Hidden,
    /// Rounded to a multiple of five, at least five.
    Rounded(u64),
}

impl Cell {
    /// Primary suppression and rounding of one count.
    pub fn of(n: u64) -> Self {
        match n {
            0 => Self::Zero,
            n if n < THRESHOLD => Self::Small,
            n => Self::Rounded(round5(n)),
        }
    }

    /// What the page, the CSV and the API show.
    pub fn text(self) -> String {
        match self {
            Self::Zero => "0".into(),
            Self::Small => "<5".into(),
            Self::Hidden => "×".into(),
            Self::Rounded(n) => thousands(n),
        }
    }

    /// The number a chart draws (a suppressed cell is drawn as nothing).
    pub fn value(self) -> Option<u64> {
        match self {
            Self::Zero => Some(0),
            Self::Rounded(n) => Some(n),
            Self::Small | Self::Hidden => None,
        }
    }

    pub fn is_suppressed(self) -> bool {
        matches!(self, Self::Small | Self::Hidden)
    }
}

/// To the nearest multiple of five (halves up), never below five.
pub fn round5(n: u64) -> u64 {
    (n.saturating_add(2) / 5 * 5).max(THRESHOLD)
}

/// 12345 as "12.345".
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// A share in percent, whole numbers, when it cannot single anyone out: the counted and
/// the rest both at least five.
pub fn share(part: u64, whole: u64) -> Option<u64> {
    if whole == 0 || part < THRESHOLD || whole.saturating_sub(part) < THRESHOLD {
        return None;
    }
    Some((part * 100 + whole / 2) / whole)
}

/// The cells of a line whose total is shown: primary suppression, then, when exactly
/// one cell is suppressed, the smallest other non-zero cell hidden as well.
pub fn line(parts: &[u64]) -> Vec<Cell> {
    let mut cells: Vec<Cell> = parts.iter().map(|n| Cell::of(*n)).collect();
    secondary(parts, &mut cells, &(0..parts.len()).collect::<Vec<_>>());
    cells
}

/// Hides one more cell of `idx` when exactly one of them is suppressed.
fn secondary(raw: &[u64], cells: &mut [Cell], idx: &[usize]) -> bool {
    let suppressed = idx.iter().filter(|i| cells[**i].is_suppressed()).count();
    if suppressed != 1 {
        return false;
    }
    let next = idx
        .iter()
        .filter(|i| !cells[**i].is_suppressed() && raw[**i] > 0)
        .min_by_key(|i| raw[**i]);
    match next {
        Some(i) => {
            cells[*i] = Cell::Hidden;
            true
        }
        None => false,
    }
}

/// A table whose rows and columns both have totals shown: suppression along every row
/// and every column, repeated until no line has a single suppressed cell.
pub fn grid(rows: &[Vec<u64>]) -> Vec<Vec<Cell>> {
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    let flat: Vec<u64> = rows
        .iter()
        .flat_map(|r| (0..width).map(move |c| r.get(c).copied().unwrap_or(0)))
        .collect();
    let mut cells: Vec<Cell> = flat.iter().map(|n| Cell::of(*n)).collect();
    let height = rows.len();
    loop {
        let mut changed = false;
        for r in 0..height {
            let idx: Vec<usize> = (0..width).map(|c| r * width + c).collect();
            changed |= secondary(&flat, &mut cells, &idx);
        }
        for c in 0..width {
            let idx: Vec<usize> = (0..height).map(|r| r * width + c).collect();
            changed |= secondary(&flat, &mut cells, &idx);
        }
        if !changed {
            break;
        }
    }
    cells.chunks(width.max(1)).map(<[Cell]>::to_vec).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_counts_are_never_shown_and_others_are_rounded() {
        assert_eq!(Cell::of(0).text(), "0");
        for n in 1..5 {
            assert_eq!(Cell::of(n).text(), "<5");
        }
        assert_eq!(Cell::of(5).text(), "5");
        assert_eq!(Cell::of(7).text(), "5");
        assert_eq!(Cell::of(8).text(), "10");
        assert_eq!(Cell::of(12_347).text(), "12.345");
    }

    #[test]
    fn a_lone_suppressed_cell_takes_a_neighbour_with_it() {
        let cells = line(&[3, 40, 9, 0]);
        assert_eq!(
            cells,
            vec![Cell::Small, Cell::Rounded(40), Cell::Hidden, Cell::Zero]
        );
        // Two suppressed already: nothing more to hide.
        assert_eq!(line(&[3, 2, 40])[2], Cell::Rounded(40));
    }

    #[test]
    fn a_grid_protects_rows_and_columns() {
        let g = grid(&[vec![2, 30, 30], vec![20, 30, 30], vec![20, 30, 30]]);
        // Row 0 and column 0 each had one small cell: each gets a partner.
        for r in &g {
            let n = r.iter().filter(|c| c.is_suppressed()).count();
            assert!(n != 1, "row {r:?}");
        }
        for c in 0..3 {
            let n = g.iter().filter(|r| r[c].is_suppressed()).count();
            assert!(n != 1, "column {c}");
        }
    }

    #[test]
    fn shares_need_five_on_both_sides() {
        assert_eq!(share(4, 100), None);
        assert_eq!(share(96, 100), None);
        assert_eq!(share(15, 100), Some(15));
        assert_eq!(share(1, 3), None);
    }
}
