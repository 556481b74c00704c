//! Rondom's HTTP side. Requests flow: tower-http layers (request id, tracing, timeout,
//! compression) → security headers and same-origin check → router → extractors
//! (session or API token, CSRF form) → handler → a use case in `rondom_app` (policy,
//! one transaction with its audit entry) → askama template or JSON.
//!
//! Architecture invariant: handlers never decide access by comparing roles themselves;
//! they ask `access::require`, which asks `rondom_domain::policy`.

pub mod access;
pub mod account;
pub mod admin;
pub mod api;
pub mod assets;
pub mod auth;
pub mod body;
pub mod client;
pub mod consultation;
pub mod cookies;
pub mod copy;
pub mod directory;
pub mod error;
pub mod extract;
pub mod home;
pub mod live;
pub mod meeting;
pub mod message;
pub mod middleware;
pub mod network;
pub mod ops;
pub mod page;
pub mod plan;
pub mod referral;
pub mod session;
pub mod settings;
pub mod state;
pub mod stuur;
pub mod today;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Request};
use axum::routing::{get, post};
use std::sync::Arc;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

/// Dates as Dutch readers expect them (the use cases count terms with the same functions).
pub use rondom_app::dates as format;
pub use settings::Settings;
pub use state::AppState;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Builds the state around the use cases' services (made by the binary, which holds
/// the key: web never sees it) and prepares the dummy password hash.
pub fn build_state(
    app: rondom_app::Services,
    settings: Settings,
    metrics: Option<metrics_exporter_prometheus::PrometheusHandle>,
) -> Result<AppState, String> {
    let dummy_hash = auth::password::hash_blocking("rondom-dummy-password-for-timing")?;
    app.db.watch_changes();
    Ok(AppState::new(state::Shared {
        app,
        settings: Arc::new(settings),
        metrics,
        dummy_hash: Arc::new(dummy_hash),
        directory_index: Default::default(),
        sessions: Default::default(),
        tokens: Default::default(),
        today: Default::default(),
        draining: Default::default(),
    }))
}

pub fn router(state: AppState) -> Router {
    let pages = Router::new()
        .route("/", get(home::home))
        .route(
            "/inloggen",
            get(auth::login::login_form).post(auth::login::login_submit),
        )
        .route(
            "/inloggen/code",
            get(auth::login::code_form).post(auth::login::code_submit),
        )
        .route(
            "/inloggen/tweestapsverificatie",
            get(auth::login::enrol_form).post(auth::login::enrol_submit),
        )
        .route("/uitloggen", post(auth::login::logout))
        .route(
            "/wachtwoord-vergeten",
            get(auth::reset::forgot_form).post(auth::reset::forgot_submit),
        )
        .route(
            "/wachtwoord-herstellen/{token}",
            get(auth::reset::reset_form).post(auth::reset::reset_submit),
        )
        .route("/mijn-team", get(directory::mijn_team))
        .route("/sociale-kaart", get(directory::search::search))
        .route(
            "/sociale-kaart/organisaties/{id}",
            get(directory::entries::organisation),
        )
        .route(
            "/sociale-kaart/organisaties/{id}/aanbod/nieuw",
            get(directory::edit::new_form).post(directory::edit::create),
        )
        .route(
            "/sociale-kaart/aanbod/{id}",
            get(directory::entries::service),
        )
        .route(
            "/sociale-kaart/aanbod/{id}/bewerken",
            get(directory::edit::edit_form).post(directory::edit::update),
        )
        .route(
            "/sociale-kaart/aanbod/{id}/gecontroleerd",
            post(directory::edit::mark_checked),
        )
        .route(
            "/sociale-kaart/aanbod/{id}/verwijderen",
            post(directory::edit::delete),
        )
        .route(
            "/sociale-kaart/mensen/{id}",
            get(directory::entries::person),
        )
        .route(
            "/sociale-kaart/organisaties/{id}/profiel",
            get(directory::profile::profile_form).post(directory::profile::save_profile),
        )
        .route(
            "/sociale-kaart/organisaties/{id}/locaties/nieuw",
            get(directory::profile::new_location_form).post(directory::profile::create_location),
        )
        .route(
            "/sociale-kaart/organisaties/{id}/teams/nieuw",
            get(directory::people::new_team_form).post(directory::people::create_team),
        )
        .route(
            "/sociale-kaart/teams/{id}/bewerken",
            get(directory::people::edit_team_form).post(directory::people::update_team),
        )
        .route(
            "/sociale-kaart/organisaties/{id}/koppelingen",
            post(directory::links::create),
        )
        .route(
            "/sociale-kaart/koppelingen/{id}",
            get(directory::links::show).post(directory::links::save),
        )
        .route(
            "/sociale-kaart/koppelingen/{id}/verwijderen",
            post(directory::links::delete),
        )
        .route(
            "/sociale-kaart/koppelingen/{id}/antwoord",
            post(directory::links::answer),
        )
        .route(
            "/sociale-kaart/mensen/{id}/bewerken",
            get(directory::people::person_form).post(directory::people::save_person),
        )
        .route(
            "/sociale-kaart/locaties/{id}/bewerken",
            get(directory::profile::edit_location_form).post(directory::profile::update_location),
        )
        .route("/overleg", get(consultation::list))
        .route(
            "/overleg/nieuw",
            get(consultation::ask_form).post(consultation::ask),
        )
        .route("/overleg/{id}", get(consultation::show))
        .route("/overleg/{id}/oppakken", post(consultation::pick_up))
        .route("/overleg/{id}/toewijzen", post(consultation::assign))
        .route("/overleg/{id}/bericht", post(consultation::write))
        .route("/overleg/{id}/afsluiten", post(consultation::close))
        .route("/verwijzingen", get(referral::pages::inbox))
        .route("/verwijzingen/leerlingen", get(referral::pages::pupils))
        .route("/verwijzingen/{id}/netwerk", post(network::open))
        .route("/netwerken/noodtoegang", get(network::emergency_overview))
        .route("/netwerken/{id}", get(network::show))
        .route(
            "/netwerken/{id}/berichten",
            get(message::conversations).post(message::start),
        )
        .route("/berichten", get(message::mine))
        .route(
            "/berichten/instellingen",
            get(message::settings).post(message::save_settings),
        )
        .route("/berichten/ongelezen", get(message::unread))
        .route("/berichten/{id}/intrekken", post(message::withdraw))
        .route("/berichten/{id}/wijzigen", post(message::edit))
        .route(
            "/gesprekken/{id}",
            get(message::show)
                .post(message::send)
                .layer(DefaultBodyLimit::max(
                    rondom_domain::document::MAX_BYTES + 64 * 1024,
                )),
        )
        .route("/documenten/{id}", get(message::download))
        .route("/gesprekken/{id}/nieuw", get(message::fresh))
        .route("/live", get(message::live))
        .route(
            "/netwerken/{id}/professionals",
            post(network::add_professional),
        )
        .route(
            "/netwerken/{id}/organisaties",
            post(network::add_organisation),
        )
        .route(
            "/netwerken/{id}/niet-voor-ouders",
            post(network::keep_from_parents),
        )
        .route("/netwerken/{id}/plan", get(plan::show).post(plan::save))
        .route("/netwerken/{id}/plan/bewerken", get(plan::edit))
        .route("/netwerken/{id}/plan/antwoord", post(plan::respond))
        .route("/netwerken/{id}/plan/versies/{number}", get(plan::version))
        .route("/netwerken/{id}/plan/vergelijk", get(plan::compare))
        .route(
            "/netwerken/{id}/plan/afspraken/{key}/stand",
            post(plan::set_status),
        )
        .route("/afspraken", get(plan::due))
        .route("/stuurinformatie", get(stuur::dashboard))
        .route("/stuurinformatie/export.csv", get(stuur::export_csv))
        .route("/stuurinformatie/export.xlsx", get(stuur::export_xlsx))
        .route(
            "/netwerken/{id}/vernietigen",
            post(network::request_destruction),
        )
        .route(
            "/netwerken/{id}/vernietigen/{request}/besluit",
            post(network::decide_destruction),
        )
        .route(
            "/netwerken/{id}/afschrift",
            get(copy::show).post(copy::take),
        )
        .route("/overleggen", get(meeting::list).post(meeting::schedule))
        .route("/overleggen/nieuw", get(meeting::new))
        .route("/overleggen/{id}", get(meeting::show))
        .route("/overleggen/{id}/agenda", post(meeting::add_item))
        .route(
            "/overleggen/{id}/punten/{item}/verslag",
            post(meeting::record),
        )
        .route(
            "/overleggen/{id}/punten/{item}/gezin",
            post(meeting::invite),
        )
        .route("/overleggen/{id}/afsluiten", post(meeting::close))
        .route("/netwerken/{id}/gezin", post(network::add_family))
        .route("/netwerken/{id}/toestemming", post(network::record_consent))
        .route(
            "/netwerken/{id}/mijn-toestemming",
            post(network::own_consent),
        )
        .route("/netwerken/{id}/inzage", get(network::access_log))
        .route("/netwerken/{id}/noodtoegang", post(network::emergency))
        .route("/netwerken/{id}/aanmelden", post(network::ask_to_join))
        .route(
            "/netwerken/{id}/leden/{member}/toelaten",
            post(network::admit),
        )
        .route(
            "/netwerken/{id}/leden/{member}/uitnodigen",
            post(network::invite),
        )
        .route(
            "/netwerken/{id}/leden/{member}/verwijderen",
            post(network::remove_member),
        )
        .route(
            "/verwijzingen/nieuw",
            get(referral::pages::new_form)
                .post(referral::pages::create)
                .layer(DefaultBodyLimit::max(
                    rondom_app::referral::create::ATTACHMENTS_WITH_NEW
                        * referral::ATTACHMENT_MAX_BYTES
                        + 256 * 1024,
                )),
        )
        .route("/verwijzingen/{id}", get(referral::pages::show))
        .route(
            "/verwijzingen/{id}/status",
            post(referral::pages::change_status),
        )
        .route(
            "/verwijzingen/{id}/terugkoppeling",
            post(referral::pages::feedback),
        )
        .route(
            "/verwijzingen/{id}/casusregisseur",
            post(referral::pages::case_director),
        )
        .route(
            "/verwijzingen/{id}/doorverwijzen",
            post(referral::pages::refer_on),
        )
        .route(
            "/verwijzingen/{id}/uitkomst-doorsturen",
            post(referral::pages::pass_on),
        )
        .route(
            "/verwijzingen/{id}/bijlagen",
            post(referral::pages::upload).layer(DefaultBodyLimit::max(
                referral::ATTACHMENT_MAX_BYTES + 64 * 1024,
            )),
        )
        .route(
            "/verwijzingen/{id}/bijlagen/{attachment}",
            get(referral::pages::download),
        )
        .route(
            "/verwijskader",
            get(referral::agreements::show).post(referral::agreements::create),
        )
        .route("/account", get(account::show))
        .route("/account/wachtwoord", post(account::change_password))
        .route("/account/tokens", post(account::create_token))
        .route(
            "/account/tokens/{id}/intrekken",
            post(account::revoke_token),
        )
        .route("/beheer", get(admin::index))
        .route("/beheer/organisaties", get(admin::organisations::list))
        .route(
            "/beheer/organisaties/nieuw",
            get(admin::organisations::new_form).post(admin::organisations::create),
        )
        .route("/beheer/organisaties/{id}", get(admin::organisations::show))
        .route(
            "/beheer/organisaties/{id}/bewerken",
            get(admin::organisations::edit_form).post(admin::organisations::update),
        )
        .route(
            "/beheer/organisaties/{id}/leden",
            post(admin::organisations::add_member),
        )
        .route(
            "/beheer/organisaties/{id}/leden/{membership_id}/verwijderen",
            post(admin::organisations::remove_member),
        )
        .route("/beheer/audit", get(admin::audit_log::show))
        .route("/static/{name}", get(assets::asset))
        .fallback(page_not_found);

    let api = Router::new()
        .route("/api/v1/me", get(api::me))
        .route(
            "/api/v1/organisations",
            get(api::list_organisations).post(api::post_organisation),
        )
        .route("/api/v1/organisations/{id}", get(api::get_organisation))
        .route("/api/v1/services", get(api::search_services))
        .route("/api/v1/services/{id}", get(api::get_service))
        .route(
            "/api/v1/consultations",
            get(api::consultations::list).post(api::consultations::create),
        )
        .route("/api/v1/consultations/{id}", get(api::consultations::get))
        .route(
            "/api/v1/networks",
            get(api::networks::list).post(api::networks::open),
        )
        .route("/api/v1/networks/{id}", get(api::networks::get))
        .route(
            "/api/v1/networks/{id}/members",
            post(api::networks::add_member),
        )
        .route(
            "/api/v1/networks/{id}/members/{member}",
            axum::routing::delete(api::networks::remove_member),
        )
        .route(
            "/api/v1/networks/{id}/consents",
            get(api::networks::consents).post(api::networks::give_consent),
        )
        .route(
            "/api/v1/networks/{id}/access-log",
            get(api::networks::access_log),
        )
        .route(
            "/api/v1/meetings",
            get(api::meetings::list).post(api::meetings::schedule),
        )
        .route("/api/v1/meetings/{id}", get(api::meetings::get))
        .route("/api/v1/meetings/{id}/items", post(api::meetings::add_item))
        .route(
            "/api/v1/meetings/{id}/items/{item}/minutes",
            post(api::meetings::record),
        )
        .route("/api/v1/networks/{id}/export", get(copy::api_export))
        .route("/api/v1/networks/{id}/plan", get(api::plans::get))
        .route(
            "/api/v1/networks/{id}/plan/versions",
            post(api::plans::save),
        )
        .route(
            "/api/v1/networks/{id}/plan/versions/{number}",
            get(api::plans::version),
        )
        .route(
            "/api/v1/networks/{id}/plan/versions/{number}/responses",
            post(api::plans::respond),
        )
        .route(
            "/api/v1/networks/{id}/conversations",
            get(api::messages::conversations).post(api::messages::start),
        )
        .route(
            "/api/v1/conversations/{id}/messages",
            get(api::messages::messages).post(api::messages::send),
        )
        .route(
            "/api/v1/conversations/{id}/documents",
            post(api::messages::share_document),
        )
        .route("/api/v1/documents/{id}", get(api::messages::document))
        .route("/api/v1/events", get(api::messages::events))
        .route("/api/v1/stuurinformatie", get(api::stuur::all))
        .route("/api/v1/stuurinformatie/{table}", get(api::stuur::one))
        .route(
            "/api/v1/referrals",
            get(api::referrals::list).post(api::referrals::create),
        )
        .route("/api/v1/referrals/{id}", get(api::referrals::get))
        .route(
            "/api/v1/referrals/{id}/transitions",
            post(api::referrals::transition),
        )
        .route(
            "/api/v1/referrals/{id}/feedback",
            get(api::referrals::feedback).post(api::referrals::give_feedback),
        )
        .route(
            "/api/fhir/ServiceRequest/{id}",
            get(api::fhir::get_service_request),
        )
        .route("/api/fhir/Task/{id}", get(api::fhir::get_task))
        .route("/api/fhir/CareTeam/{id}", get(api::fhir::get_care_team))
        .route("/api/fhir/Consent/{id}", get(api::fhir::get_consent))
        .route(
            "/api/fhir/Communication/{id}",
            get(api::fhir::get_communication),
        )
        .route("/api/fhir/Bundle/{id}", get(api::fhir::get_bundle))
        .route("/api/fhir/CarePlan/{id}", get(api::fhir::get_care_plan))
        .route("/api/openapi.json", get(api::openapi))
        .route("/api/hsds", get(api::hsds::root))
        .route("/api/hsds/", get(api::hsds::root))
        .route("/api/hsds/services", get(api::hsds::services))
        .route("/api/hsds/services/{id}", get(api::hsds::service))
        .route("/api/hsds/organizations", get(api::hsds::organizations))
        .route("/api/hsds/organizations/{id}", get(api::hsds::organization))
        .route(
            "/api/hsds/service_at_locations",
            get(api::hsds::service_at_locations),
        )
        .route(
            "/api/hsds/service_at_locations/{id}",
            get(api::hsds::service_at_location),
        )
        .route("/api/hsds/taxonomies", get(api::hsds::taxonomies))
        .route("/api/hsds/taxonomies/{id}", get(api::hsds::taxonomy))
        .route("/api/hsds/taxonomy_terms", get(api::hsds::taxonomy_terms))
        .route(
            "/api/hsds/taxonomy_terms/{id}",
            get(api::hsds::taxonomy_term),
        )
        .route("/api/{*rest}", axum::routing::any(api::not_found));

    let ops = Router::new()
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics));

    let timeout = state.settings.request_timeout;
    let body_limit = state.settings.max_body_bytes;
    pages
        .merge(api)
        .merge(ops)
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::error_pages))
        .layer(axum::middleware::from_fn(middleware::record_metrics))
        .layer(axum::middleware::from_fn(middleware::same_origin))
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::security_headers))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::SERVICE_UNAVAILABLE, timeout))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                let id = req
                    .headers()
                    .get(REQUEST_ID)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
            })
            // One line per request (status and latency) at info: the request log.
            .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .with_state(state)
}

async fn page_not_found() -> error::AppError {
    error::AppError::NotFound
}

/// Serves until `shutdown` resolves; connections finish their current request.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
