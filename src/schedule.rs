//! Opening hours: a weekly schedule and holidays in a time zone, and a supervisor's "closed now"
//! switch. Pure: the schedule is parsed from its text once (at the edge), and asked whether we
//! are open at a given instant, and when we next open or close. The core asks it as its
//! `center::Calendar` (through `runtime::OpeningHours`); it lives outside the core because it
//! needs the time zone database (server only) and speaks to people (its errors, "we open again
//! tomorrow at 09:00").
//!
//! The text is what supervisors edit (on the floor and with the CLI), one rule per line:
//!
//! ```text
//! time zone Europe/London
//! mon-fri 09:00-17:30
//! sat 10:00-13:00, 14:00-16:00
//! holiday 2026-12-25 Christmas Day
//! ```
//!
//! A day not named is closed; a span ends on the day it starts (`24:00` is midnight at its end);
//! times are wall-clock times where the team is, so across a change to or from daylight saving
//! "09:00" stays nine in the morning. No schedule at all means always open (today's flow).

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, NaiveTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

use crate::center::{Calendar, ClosedWhy, Millis, Openness};

/// Minutes since local midnight, 0..=1440.
pub type Minute = u16;

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const DAY_NAMES: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/// One opening span of a day: from `open` (inclusive) to `close` (exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Span {
    pub open: Minute,
    pub close: Minute,
}

/// A weekly schedule with holidays, in a time zone.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    pub zone: Tz,
    /// Monday first.
    pub week: [Vec<Span>; 7],
    /// Closed all day, with the holiday's name.
    pub holidays: BTreeMap<NaiveDate, String>,
}

/// The "closed now" switch: a supervisor closed the center, whatever the schedule says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closure {
    pub reason: String,
    pub by: String,
    pub since: Millis,
}

/// Everything that decides whether we are open.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Hours {
    /// `None`: always open (no schedule set).
    pub schedule: Option<Schedule>,
    pub closure: Option<Closure>,
}

/// A line of the schedule's text that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct ScheduleError {
    pub line: usize,
    pub reason: String,
}

/// How far ahead the next opening is looked for (a center closed longer says "soon" less).
const LOOKAHEAD_DAYS: i64 = 14;

impl Schedule {
    /// Reads the schedule's text (see the module's comment). Empty text is an error: "always
    /// open" is no schedule at all, not an empty one.
    pub fn parse(text: &str) -> Result<Schedule, ScheduleError> {
        let mut zone = None;
        let mut week: [Vec<Span>; 7] = Default::default();
        let mut holidays = BTreeMap::new();
        let mut any = false;
        for (i, raw) in text.lines().enumerate() {
            let line = raw.split('#').next().unwrap_or_default().trim();
            if line.is_empty() {
                continue;
            }
            let err = |reason: String| ScheduleError { line: i + 1, reason };
            any = true;
            let lower = line.to_ascii_lowercase();
            if let Some(rest) = lower.strip_prefix("time zone").or_else(|| lower.strip_prefix("timezone")) {
                // The zone's name keeps its case as written (IANA names are case-sensitive).
                let name = line[line.len() - rest.len()..].trim().trim_start_matches(':').trim();
                let tz = name.parse::<Tz>().map_err(|_| err(format!("unknown time zone '{name}' (an IANA name, like Europe/London)")))?;
                zone = Some(tz);
            } else if let Some(rest) = lower.strip_prefix("holiday") {
                let rest = line[line.len() - rest.len()..].trim();
                let (date, name) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
                let date = NaiveDate::parse_from_str(date, "%Y-%m-%d")
                    .map_err(|_| err(format!("'{date}' is not a date: write it as 2026-12-25")))?;
                let name = name.trim();
                holidays.insert(date, if name.is_empty() { "holiday".to_string() } else { name.chars().take(80).collect() });
            } else {
                let (days, spans) = line
                    .split_once(char::is_whitespace)
                    .ok_or_else(|| err("a day needs its hours, like 'mon 09:00-17:00', or 'closed'".into()))?;
                let days = parse_days(days).map_err(err)?;
                let spans = spans.trim();
                let parsed = if spans.eq_ignore_ascii_case("closed") { Vec::new() } else { parse_spans(spans).map_err(err)? };
                for d in days {
                    week[d] = parsed.clone();
                }
            }
        }
        if !any {
            return Err(ScheduleError { line: 1, reason: "the schedule is empty: to be always open, remove it".into() });
        }
        let zone = zone.ok_or(ScheduleError { line: 1, reason: "say the time zone first, like 'time zone Europe/London'".into() })?;
        Ok(Schedule { zone, week, holidays })
    }

    /// Whether the schedule has us open at `now` (what every call asks: nothing else computed).
    pub fn is_open(&self, now: Millis) -> bool {
        let local = self.local(now);
        let (date, minute) = (local.date_naive(), (local.hour() * 60 + local.minute()) as Minute);
        !self.holidays.contains_key(&date)
            && self.week[date.weekday().num_days_from_monday() as usize].iter().any(|s| s.open <= minute && minute < s.close)
    }

    /// Whether the schedule has us open at `now`, and until when (or when we open next).
    pub fn at(&self, now: Millis) -> Openness {
        let local = self.local(now);
        let (date, minute) = (local.date_naive(), (local.hour() * 60 + local.minute()) as Minute);
        if let Some(name) = self.holidays.get(&date) {
            return Openness::Closed { why: ClosedWhy::Holiday(name.clone()), opens: self.next_open(now) };
        }
        let today = &self.week[date.weekday().num_days_from_monday() as usize];
        match today.iter().find(|s| s.open <= minute && minute < s.close) {
            Some(span) => Openness::Open { closes: self.closes_after(date, span.close) },
            None => Openness::Closed { why: ClosedWhy::Schedule, opens: self.next_open(now) },
        }
    }

    fn local(&self, now: Millis) -> chrono::DateTime<Tz> {
        Utc.timestamp_millis_opt(now).single().unwrap_or_default().with_timezone(&self.zone)
    }

    /// The instant of `minute` on local `date` (a time skipped by a change to summer time is
    /// taken as the first instant after the gap; a repeated one as its first occurrence).
    fn instant(&self, date: NaiveDate, minute: Minute) -> Option<Millis> {
        let (date, minute) = if minute >= 1440 { (date.succ_opt()?, minute - 1440) } else { (date, minute) };
        let naive = date.and_time(NaiveTime::from_hms_opt(u32::from(minute / 60), u32::from(minute % 60), 0)?);
        (0..=3)
            .find_map(|hours| self.zone.from_local_datetime(&(naive + chrono::Duration::hours(hours))).earliest())
            .map(|t| t.timestamp_millis())
    }

    /// When a span closing at `close` on `date` really ends: a span that runs to midnight goes
    /// on into the next day's span from 00:00 (and so on), so "open around the clock" has no end.
    fn closes_after(&self, date: NaiveDate, close: Minute) -> Option<Millis> {
        let (mut date, mut close) = (date, close);
        for _ in 0..7 {
            if close < 1440 {
                return self.instant(date, close);
            }
            let next = date.succ_opt()?;
            let continues = (!self.holidays.contains_key(&next))
                .then(|| self.week[next.weekday().num_days_from_monday() as usize].iter().find(|s| s.open == 0).map(|s| s.close))
                .flatten();
            match continues {
                Some(c) => (date, close) = (next, c),
                None => return self.instant(date, close),
            }
        }
        None
    }

    /// The next opening after `now` within two weeks.
    fn next_open(&self, now: Millis) -> Option<Millis> {
        let first = self.local(now).date_naive();
        (0..LOOKAHEAD_DAYS).filter_map(|i| first.checked_add_signed(chrono::Duration::days(i))).find_map(|date| {
            if self.holidays.contains_key(&date) {
                return None;
            }
            self.week[date.weekday().num_days_from_monday() as usize].iter().filter_map(|s| self.instant(date, s.open)).find(|at| *at > now)
        })
    }

    /// The schedule as text again (what `parse` reads back to the same schedule).
    pub fn to_text(&self) -> String {
        let mut out = format!("time zone {}\n", self.zone.name());
        for (i, spans) in self.week.iter().enumerate() {
            let spans: Vec<String> = spans.iter().map(|s| format!("{}-{}", hhmm(s.open), hhmm(s.close))).collect();
            let spans = if spans.is_empty() { "closed".to_string() } else { spans.join(", ") };
            out.push_str(&format!("{} {}\n", DAYS[i], spans));
        }
        for (date, name) in &self.holidays {
            out.push_str(&format!("holiday {date} {name}\n"));
        }
        out
    }

    /// "Monday at 09:00" (or "today at 14:00", "tomorrow at 09:00"), in the schedule's zone.
    pub fn when(&self, at: Millis, now: Millis) -> String {
        let (at_local, today) = (self.local(at), self.local(now).date_naive());
        let time = format!("{:02}:{:02}", at_local.hour(), at_local.minute());
        let day = at_local.date_naive();
        if day == today {
            format!("today at {time}")
        } else if Some(day) == today.succ_opt() {
            format!("tomorrow at {time}")
        } else if (day - today).num_days() < 7 {
            format!("{} at {time}", DAY_NAMES[day.weekday().num_days_from_monday() as usize])
        } else {
            format!("{} {} at {time}", DAY_NAMES[day.weekday().num_days_from_monday() as usize], day.format("%-d %B"))
        }
    }
}

fn hhmm(m: Minute) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// `mon`, `mon-fri`, `sat,sun`, `daily`.
fn parse_days(s: &str) -> Result<Vec<usize>, String> {
    let day = |d: &str| {
        let d = d.trim().to_ascii_lowercase();
        DAYS.iter()
            .position(|x| d.starts_with(x) && DAY_NAMES.iter().any(|n| n.to_ascii_lowercase().starts_with(&d)))
            .ok_or_else(|| format!("'{d}' is not a day: use mon, tue, wed, thu, fri, sat, sun, a range like mon-fri, or daily"))
    };
    if s.eq_ignore_ascii_case("daily") {
        return Ok((0..7).collect());
    }
    let mut out = Vec::new();
    for part in s.split(',') {
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (day(a)?, day(b)?);
                if b < a {
                    return Err(format!("'{part}' runs backwards: write the earlier day first"));
                }
                out.extend(a..=b);
            }
            None => out.push(day(part)?),
        }
    }
    Ok(out)
}

/// `09:00-17:30, 18:00-20:00`.
fn parse_spans(s: &str) -> Result<Vec<Span>, String> {
    let time = |t: &str| -> Result<Minute, String> {
        let t = t.trim();
        let bad = || format!("'{t}' is not a time: write it as 09:00 (24:00 is midnight at the day's end)");
        let (h, m) = t.split_once(':').ok_or_else(bad)?;
        let (h, m): (Minute, Minute) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
        if m >= 60 || h > 24 || (h == 24 && m > 0) || m.to_string().len() > 2 {
            return Err(bad());
        }
        Ok(h * 60 + m)
    };
    let mut spans = Vec::new();
    for part in s.split(',') {
        let (a, b) = part.split_once('-').ok_or_else(|| format!("'{}' is not a span: write it as 09:00-17:00", part.trim()))?;
        let span = Span { open: time(a)?, close: time(b)? };
        if span.close <= span.open {
            return Err(format!("'{}' ends before it starts (a span cannot cross midnight: split it in two days)", part.trim()));
        }
        spans.push(span);
    }
    spans.sort();
    if spans.windows(2).any(|w| w[1].open < w[0].close) {
        return Err("two spans overlap".into());
    }
    Ok(spans)
}

impl Calendar for Hours {
    fn is_open(&self, now: Millis) -> bool {
        Hours::is_open(self, now)
    }

    fn at(&self, now: Millis) -> Openness {
        Hours::at(self, now)
    }
}

impl Hours {
    /// Whether we are open at `now` (the switch, then the schedule), and nothing more: what
    /// every call asks.
    pub fn is_open(&self, now: Millis) -> bool {
        self.closure.is_none() && self.schedule.as_ref().is_none_or(|s| s.is_open(now))
    }

    /// Whether we are open at `now`: the switch first, then the schedule.
    pub fn at(&self, now: Millis) -> Openness {
        if let Some(c) = &self.closure {
            return Openness::Closed { why: ClosedWhy::Manual(c.reason.clone()), opens: None };
        }
        match &self.schedule {
            Some(s) => s.at(now),
            None => Openness::Open { closes: None },
        }
    }

    /// What a caller who finds us closed hears.
    pub fn closed_message(&self, why: &ClosedWhy, opens: Option<Millis>, now: Millis) -> String {
        let first = match why {
            ClosedWhy::Schedule => "Thank you for calling. We are closed right now.".to_string(),
            ClosedWhy::Holiday(name) => format!("Thank you for calling. We are closed today for {name}."),
            ClosedWhy::Manual(reason) if reason.is_empty() => "Thank you for calling. We are closed right now.".to_string(),
            ClosedWhy::Manual(reason) => format!("Thank you for calling. We are closed right now: {reason}."),
        };
        match (opens, &self.schedule) {
            (Some(at), Some(s)) => format!("{first} We open again {}.", s.when(at, now)),
            _ => first,
        }
    }

    /// The state in a few words, for the floor: "open, closes today at 17:30".
    pub fn words(&self, now: Millis) -> String {
        match (self.at(now), &self.schedule) {
            (Openness::Open { closes: Some(at) }, Some(s)) => format!("open, closes {}", s.when(at, now)),
            (Openness::Open { .. }, _) => "open around the clock".into(),
            (Openness::Closed { why, opens }, s) => {
                let why = match why {
                    ClosedWhy::Schedule => "closed (outside the opening hours)".to_string(),
                    ClosedWhy::Holiday(name) => format!("closed ({name})"),
                    ClosedWhy::Manual(reason) if reason.is_empty() => "closed by a supervisor".to_string(),
                    ClosedWhy::Manual(reason) => format!("closed by a supervisor: {reason}"),
                };
                match (opens, s) {
                    (Some(at), Some(s)) => format!("{why}, opens {}", s.when(at, now)),
                    _ => why,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    //! Given a schedule, when a caller rings at an instant, then we are open or closed, and say
    //! until when. Instants are written in UTC; the schedules' zones have daylight saving.
    use super::*;

    fn utc(s: &str) -> Millis {
        chrono::DateTime::parse_from_rfc3339(s).unwrap().timestamp_millis()
    }

    const LONDON: &str = "time zone Europe/London\nmon-fri 09:00-17:30\nsat 10:00-13:00, 14:00-16:00\nholiday 2026-12-25 Christmas Day\n";

    fn london() -> Schedule {
        Schedule::parse(LONDON).unwrap()
    }

    #[test]
    fn open_from_the_first_minute_to_the_last() {
        let s = london();
        // Tuesday 1 December 2026 (winter: London is UTC).
        assert_eq!(
            s.at(utc("2026-12-01T08:59:59Z")),
            Openness::Closed { why: ClosedWhy::Schedule, opens: Some(utc("2026-12-01T09:00:00Z")) }
        );
        assert_eq!(s.at(utc("2026-12-01T09:00:00Z")), Openness::Open { closes: Some(utc("2026-12-01T17:30:00Z")) });
        assert!(s.at(utc("2026-12-01T17:29:59Z")).is_open());
        assert_eq!(
            s.at(utc("2026-12-01T17:30:00Z")),
            Openness::Closed { why: ClosedWhy::Schedule, opens: Some(utc("2026-12-02T09:00:00Z")) }
        );
    }

    #[test]
    fn friday_evening_opens_saturday_and_the_lunch_break_is_closed() {
        let s = london();
        let fri = utc("2026-12-04T18:00:00Z");
        assert_eq!(s.at(fri), Openness::Closed { why: ClosedWhy::Schedule, opens: Some(utc("2026-12-05T10:00:00Z")) });
        let lunch = utc("2026-12-05T13:30:00Z");
        assert_eq!(s.at(lunch), Openness::Closed { why: ClosedWhy::Schedule, opens: Some(utc("2026-12-05T14:00:00Z")) });
        // Saturday after 16:00: Sunday is closed, Monday opens.
        assert_eq!(
            s.at(utc("2026-12-05T16:00:00Z")),
            Openness::Closed { why: ClosedWhy::Schedule, opens: Some(utc("2026-12-07T09:00:00Z")) }
        );
    }

    #[test]
    fn a_holiday_is_closed_all_day_and_says_its_name() {
        let s = london();
        let xmas_noon = utc("2026-12-25T12:00:00Z");
        assert_eq!(
            s.at(xmas_noon),
            Openness::Closed { why: ClosedWhy::Holiday("Christmas Day".into()), opens: Some(utc("2026-12-26T10:00:00Z")) }
        );
        // The evening before, the next opening skips the holiday.
        assert_eq!(
            s.at(utc("2026-12-24T18:00:00Z")),
            Openness::Closed { why: ClosedWhy::Schedule, opens: Some(utc("2026-12-26T10:00:00Z")) }
        );
    }

    #[test]
    fn nine_in_the_morning_stays_nine_across_summer_time() {
        let s = london();
        // Clocks go forward on Sunday 29 March 2026: Friday 09:00 is 09:00Z, Monday 09:00 is 08:00Z.
        assert!(s.at(utc("2026-03-27T09:00:00Z")).is_open());
        assert_eq!(
            s.at(utc("2026-03-28T16:00:00Z")),
            Openness::Closed { why: ClosedWhy::Schedule, opens: Some(utc("2026-03-30T08:00:00Z")) }
        );
        assert!(s.at(utc("2026-03-30T08:00:00Z")).is_open());
        assert!(!s.at(utc("2026-03-30T16:30:00Z")).is_open(), "17:30 local is 16:30Z in summer");
        // And back on Sunday 25 October 2026.
        assert_eq!(
            s.at(utc("2026-10-24T15:00:00Z")),
            Openness::Closed { why: ClosedWhy::Schedule, opens: Some(utc("2026-10-26T09:00:00Z")) }
        );
    }

    #[test]
    fn a_span_in_the_hour_skipped_by_summer_time_opens_when_the_clocks_have_moved() {
        // New York skips 02:00-03:00 on Sunday 8 March 2026.
        let s = Schedule::parse("time zone America/New_York\nsun 02:30-04:00").unwrap();
        // 01:59 EST is 06:59Z; the next instant on the wall clock is 03:00 EDT = 07:00Z.
        assert_eq!(
            s.at(utc("2026-03-08T06:59:00Z")),
            Openness::Closed { why: ClosedWhy::Schedule, opens: Some(utc("2026-03-08T07:30:00Z")) }
        );
        assert!(s.at(utc("2026-03-08T07:00:00Z")).is_open(), "03:00 EDT is inside 02:30-04:00");
    }

    #[test]
    fn the_switch_closes_whatever_the_schedule_says_and_no_schedule_is_always_open() {
        let open_hour = utc("2026-12-01T10:00:00Z");
        let mut hours = Hours { schedule: Some(london()), closure: None };
        assert!(hours.at(open_hour).is_open());
        hours.closure = Some(Closure { reason: "fire drill".into(), by: "supervisor1".into(), since: open_hour });
        assert_eq!(hours.at(open_hour), Openness::Closed { why: ClosedWhy::Manual("fire drill".into()), opens: None });
        assert_eq!(
            hours.closed_message(&ClosedWhy::Manual("fire drill".into()), None, open_hour),
            "Thank you for calling. We are closed right now: fire drill."
        );
        assert_eq!(Hours::default().at(open_hour), Openness::Open { closes: None });
    }

    #[test]
    fn open_around_the_clock_runs_through_midnight() {
        let s = Schedule::parse("time zone UTC\ndaily 00:00-24:00").unwrap();
        assert_eq!(s.at(utc("2026-12-01T23:59:00Z")), Openness::Open { closes: None });
        let s = Schedule::parse("time zone UTC\nmon-fri 00:00-24:00").unwrap();
        // From Tuesday the span runs on to the end of Friday.
        assert_eq!(s.at(utc("2026-12-01T12:00:00Z")), Openness::Open { closes: Some(utc("2026-12-05T00:00:00Z")) });
    }

    #[test]
    fn callers_hear_when_we_open() {
        let hours = Hours { schedule: Some(london()), closure: None };
        let fri = utc("2026-12-04T18:00:00Z");
        let Openness::Closed { why, opens } = hours.at(fri) else { panic!("open on Friday evening") };
        assert_eq!(
            hours.closed_message(&why, opens, fri),
            "Thank you for calling. We are closed right now. We open again tomorrow at 10:00."
        );
        assert_eq!(hours.words(utc("2026-12-01T10:00:00Z")), "open, closes today at 17:30");
        let sat = utc("2026-12-05T17:00:00Z");
        assert_eq!(hours.words(sat), "closed (outside the opening hours), opens Monday at 09:00");
    }

    #[test]
    fn the_quick_question_agrees_with_the_full_answer_every_quarter_hour_of_a_year() {
        let hours = Hours { schedule: Some(london()), closure: None };
        let start = utc("2026-01-01T00:00:00Z");
        for i in 0..(366 * 24 * 4) {
            let at = start + i * 15 * 60_000;
            assert_eq!(hours.is_open(at), hours.at(at).is_open(), "at {at}");
        }
    }

    #[test]
    fn the_text_reads_back_to_the_same_schedule() {
        let s = london();
        assert_eq!(Schedule::parse(&s.to_text()).unwrap(), s);
        assert_eq!(s.week[5], vec![Span { open: 600, close: 780 }, Span { open: 840, close: 960 }]);
    }

    #[test]
    fn a_mistake_names_its_line() {
        let e = |t: &str| Schedule::parse(t).unwrap_err().to_string();
        assert_eq!(e("time zone Mars/Olympus"), "line 1: unknown time zone 'Mars/Olympus' (an IANA name, like Europe/London)");
        assert!(e("time zone UTC\nmon 17:00-09:00").starts_with("line 2: '17:00-09:00' ends before it starts"));
        assert!(e("time zone UTC\nfunday 09:00-10:00").starts_with("line 2: 'funday' is not a day"));
        assert!(
            e("time zone UTC\nmon 9-17").starts_with("line 2: '9-17' is not a span")
                || e("time zone UTC\nmon 9-17").contains("is not a time")
        );
        assert!(e("time zone UTC\nholiday 25/12 Christmas").starts_with("line 2: '25/12' is not a date"));
        assert!(e("mon 09:00-17:00").contains("say the time zone first"));
        assert!(e("  \n# nothing\n").contains("empty"));
        assert!(e("time zone UTC\nmon 09:00-12:00, 11:00-13:00").contains("overlap"));
    }
}
