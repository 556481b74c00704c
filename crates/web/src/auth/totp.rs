//! The second factor's web side: the enrolment QR code. The codes themselves are
//! `rondom_app::auth::totp`'s (re-exported here).

pub use rondom_app::auth::totp::*;

/// The enrolment QR code as inline SVG (no script, no external image).
pub fn qr_svg(data: &str) -> Option<String> {
    let code = qrcode::QrCode::new(data.as_bytes()).ok()?;
    Some(
        code.render::<qrcode::render::svg::Color>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .build(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_enrolment_url_draws_as_svg() {
        let url = otpauth_url(&new_secret(), "a@b.nl").unwrap_or_default();
        assert!(qr_svg(&url).is_some_and(|svg| svg.contains("<svg")));
    }
}
