//! Readers' votes, the arithmetic: a verdict on an entry's rank, the score a
//! reader's own ranking (a ballot) gives each entry, and how the summed
//! scores make the readers' ranking.
//!
//! The method is the Borda count, averaged: within one ranked group (a
//! ranked list, or one ranking section of a guide) a ballot placing `n`
//! entries gives the first `SCALE` points, the last 0, and the others
//! evenly between; an entry's standing is its mean over the ballots that
//! placed it. Borda, rather than Schulze or another Condorcet method,
//! because its aggregate is a sum: a ballot adds one number per entry and a
//! changed ballot takes its old numbers back, so the totals are kept up to
//! date in the same transaction as the vote, with one row per entry, and a
//! page never recounts ballots (Schulze needs every pairwise preference,
//! `n²` counters per list, and a path computation per view). The mean
//! rather than the plain sum lets an entry added after some ballots were
//! cast be judged by the ballots that saw it, not sink for the ones that
//! could not place it.

crate::text_enum! {
    /// What a reader thinks of an entry's rank.
    pub enum Verdict("verdict") {
        TooHigh = "too_high",
        Right = "right",
        TooLow = "too_low",
    }
}

impl Verdict {
    /// The button's words.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::TooHigh => "Too high",
            Verdict::Right => "Right",
            Verdict::TooLow => "Too low",
        }
    }
}

/// Points a ballot gives the entry it places first in a group.
pub const SCALE: i64 = 1000;

/// A ballot's scores for one group: `order` holds the records as the reader
/// placed them, best first. A group of one ranks nothing and scores nothing.
pub fn borda(order: &[i64]) -> Vec<(i64, i64)> {
    let n = i64::try_from(order.len()).unwrap_or(i64::MAX);
    if n < 2 {
        return Vec::new();
    }
    (0_i64..).zip(order).map(|(place, &id)| (id, (n - 1 - place) * SCALE / (n - 1))).collect()
}

/// One entry's sums over every ballot: its points, and how many ballots
/// placed it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Standing {
    pub points: i64,
    pub placed: i64,
}

impl Standing {
    /// Whether `self`'s mean score beats `other`'s (compared without division).
    fn beats(self, other: Standing) -> bool {
        i128::from(self.points) * i128::from(other.placed) > i128::from(other.points) * i128::from(self.placed)
    }
}

/// The readers' ranks of one group, in the group's order: by mean score,
/// highest first; equal means share a rank (1, 2, 2, 4, as in sport). An
/// entry no ballot placed has no rank.
pub fn readers_ranks(group: &[Standing]) -> Vec<Option<u32>> {
    group
        .iter()
        .map(|s| {
            (s.placed > 0).then(|| {
                let ahead = group.iter().filter(|o| o.placed > 0 && o.beats(*s)).count();
                u32::try_from(ahead + 1).unwrap_or(u32::MAX)
            })
        })
        .collect()
}

/// A ballot's scores as stored: `12:1000,13:0`.
pub fn encode(points: &[(i64, i64)]) -> String {
    points.iter().map(|(id, p)| format!("{id}:{p}")).collect::<Vec<_>>().join(",")
}

/// [`encode`] read back; a pair that does not read is skipped.
pub fn decode(text: &str) -> Vec<(i64, i64)> {
    text.split(',')
        .filter_map(|pair| {
            let (id, p) = pair.split_once(':')?;
            Some((id.parse().ok()?, p.parse().ok()?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    /// Sums ballots as the database does, one entry at a time.
    fn tally(ballots: &[(usize, &[i64])]) -> HashMap<i64, Standing> {
        let mut sums: HashMap<i64, Standing> = HashMap::new();
        for (voters, order) in ballots {
            for (id, p) in borda(order) {
                let s = sums.entry(id).or_default();
                s.points += p * i64::try_from(*voters).unwrap_or_default();
                s.placed += i64::try_from(*voters).unwrap_or_default();
            }
        }
        sums
    }

    #[test]
    fn the_tennessee_capital_example_elects_nashville() {
        // The textbook example: 100 voters choosing a capital by distance.
        // Plain Borda totals: Nashville 194, Chattanooga 173, Memphis 126,
        // Knoxville 107 (Memphis wins on first preferences alone).
        let (memphis, nashville, chattanooga, knoxville) = (1, 2, 3, 4);
        let sums = tally(&[
            (42, &[memphis, nashville, chattanooga, knoxville]),
            (26, &[nashville, chattanooga, knoxville, memphis]),
            (15, &[chattanooga, knoxville, nashville, memphis]),
            (17, &[knoxville, chattanooga, nashville, memphis]),
        ]);
        let order = [memphis, nashville, chattanooga, knoxville];
        let group: Vec<Standing> = order.iter().map(|id| sums[id]).collect();
        assert_eq!(readers_ranks(&group), vec![Some(3), Some(1), Some(2), Some(4)]);
    }

    #[test]
    fn scores_run_evenly_from_the_scale_to_zero() {
        assert_eq!(borda(&[7, 8, 9]), vec![(7, 1000), (8, 500), (9, 0)]);
        assert_eq!(borda(&[7]), vec![]);
        assert_eq!(borda(&[]), vec![]);
    }

    #[test]
    fn ties_share_a_rank_and_unplaced_entries_have_none() {
        // Two readers who disagree exactly: a tie for first.
        let sums = tally(&[(1, &[1, 2, 3]), (1, &[2, 1, 3])]);
        let group = [sums[&1], sums[&2], sums[&3], Standing::default()];
        assert_eq!(readers_ranks(&group), vec![Some(1), Some(1), Some(3), None]);
    }

    #[test]
    fn an_entry_added_later_is_judged_by_the_ballots_that_saw_it() {
        // Three ballots before entry 4 existed, one after that puts it first.
        let sums = tally(&[(3, &[1, 2, 3]), (1, &[4, 1, 2, 3])]);
        let group: Vec<Standing> = [1, 2, 3, 4].iter().map(|id| sums[id]).collect();
        // Entry 4's mean is a full score: first, though most ballots never placed it.
        assert_eq!(readers_ranks(&group), vec![Some(2), Some(3), Some(4), Some(1)]);
    }

    #[test]
    fn stored_ballots_read_back() {
        let points = vec![(12, 1000), (13, 0)];
        assert_eq!(encode(&points), "12:1000,13:0");
        assert_eq!(decode(&encode(&points)), points);
        assert_eq!(decode("x:1,2:3,"), vec![(2, 3)]);
    }
}
