//! How Java prints values, for output that monitoring written against ZooKeeper parses unchanged.

/// Java's `Double.toString`: `0.0`, `2.3333`, `1.0E-4`, `1.2345678E7`, `NaN`, `Infinity`.
pub fn double(v: f64) -> String {
    if v.is_nan() {
        return "NaN".to_owned();
    }
    if v.is_infinite() {
        return if v > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    if v == 0.0 {
        return if v.is_sign_negative() { "-0.0" } else { "0.0" }.to_owned();
    }
    let a = v.abs();
    if (1e-3..1e7).contains(&a) {
        let s = format!("{v}");
        if s.contains('.') {
            s
        } else {
            format!("{s}.0")
        }
    } else {
        // Rust: "1.2345e-5" / "1e7"; Java: "1.2345E-5" / "1.0E7".
        let s = format!("{v:e}");
        let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let mant = if mant.contains('.') {
            mant.to_owned()
        } else {
            format!("{mant}.0")
        };
        format!("{mant}E{exp}")
    }
}

/// `AvgMinMaxCounter.getAvg`: total/count rounded half-up to 4 decimals (0 when empty).
pub fn avg4(total: i64, count: u64) -> f64 {
    if count == 0 {
        return 0.0;
    }
    let avg = total as f64 / count as f64;
    // BigDecimal(avg).setScale(4, HALF_UP): round the exact binary value.
    let scaled = avg * 10000.0;
    let r = scaled.round();
    // f64::round is half-away-from-zero, which is HALF_UP for the non-negative values used here.
    r / 10000.0
}

const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `java.util.Date.toString()` of a wall-clock time in ms: `Sun Nov 22 03:35:35 UTC 2026`, in the
/// process's local time zone (TZ), as the JVM prints it.
pub fn date(wall_ms: i64) -> String {
    let secs = wall_ms.div_euclid(1000) as libc::time_t;
    // SAFETY: localtime_r only writes the tm we hand it; tm_zone points into static tz data.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    let ok = unsafe { !libc::localtime_r(&secs, &mut tm).is_null() };
    if !ok {
        return format!("{wall_ms}");
    }
    let zone = if tm.tm_zone.is_null() {
        "UTC".to_owned()
    } else {
        // SAFETY: a NUL-terminated string owned by libc's time zone state.
        unsafe { std::ffi::CStr::from_ptr(tm.tm_zone) }
            .to_string_lossy()
            .into_owned()
    };
    format!(
        "{} {} {:02} {:02}:{:02}:{:02} {} {}",
        DAYS[tm.tm_wday.rem_euclid(7) as usize],
        MONTHS[tm.tm_mon.rem_euclid(12) as usize],
        tm.tm_mday,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec,
        zone,
        tm.tm_year + 1900
    )
}

/// `Long.toHexString`: two's complement for negative values (`-1` → `ffffffffffffffff`).
pub fn hex(v: i64) -> String {
    format!("{:x}", v as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_print_as_java() {
        assert_eq!(double(0.0), "0.0");
        assert_eq!(double(1.0), "1.0");
        assert_eq!(double(0.9307), "0.9307");
        assert_eq!(double(512074.0), "512074.0");
        assert_eq!(double(0.0001), "1.0E-4");
        assert_eq!(double(12345678.0), "1.2345678E7");
        assert_eq!(double(f64::NAN), "NaN");
    }

    #[test]
    fn averages_round_half_up_to_four_places() {
        assert_eq!(avg4(0, 0), 0.0);
        assert_eq!(avg4(7, 3), 2.3333);
        assert_eq!(avg4(2, 3), 0.6667);
        assert_eq!(avg4(259, 3), 86.3333);
    }

    #[test]
    fn dates_have_java_shape() {
        let d = date(1_795_318_535_000);
        let parts: Vec<&str> = d.split(' ').collect();
        assert_eq!(parts.len(), 6, "{d}");
        assert!(DAYS.contains(&parts[0]) && MONTHS.contains(&parts[1]), "{d}");
        assert_eq!(parts[3].len(), 8);
        assert_eq!(parts[5], "2026");
    }

    #[test]
    fn hex_is_unsigned() {
        assert_eq!(hex(-1), "ffffffffffffffff");
        assert_eq!(hex(0xff), "ff");
    }
}
