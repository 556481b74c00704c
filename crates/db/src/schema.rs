// Written by hand to match migrations/; the schema-equality test checks both backends.

diesel::table! {
    districts (code) {
        code -> Text,
        gemeente_code -> Text,
        name -> Text,
        postcodes -> Nullable<Text>,
        latitude -> Nullable<Double>,
        longitude -> Nullable<Double>,
    }
}

diesel::table! {
    organisations (id) {
        id -> Text,
        name -> Text,
        kind -> Text,
        agb_code -> Nullable<Text>,
        gemeente_code -> Text,
        wijk_code -> Nullable<Text>,
        street -> Text,
        house_number -> Text,
        postcode -> Text,
        city -> Text,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        overleglijn_phone -> Nullable<Text>,
        overleglijn_hours -> Nullable<Text>,
        description -> Nullable<Text>,
        website -> Nullable<Text>,
        last_checked_on -> Nullable<Date>,
        import_source -> Nullable<Text>,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        email -> Text,
        name -> Text,
        password_hash -> Nullable<Text>,
        family_role -> Nullable<Text>,
        totp_secret -> Nullable<Text>,
        totp_enabled -> Bool,
        totp_last_step -> Nullable<BigInt>,
        is_demo -> Bool,
        disabled -> Bool,
        password_changed_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        phone -> Nullable<Text>,
        job_title -> Nullable<Text>,
        working_days -> Nullable<Text>,
        last_checked_on -> Nullable<Date>,
    }
}

diesel::table! {
    memberships (id) {
        id -> Text,
        user_id -> Text,
        organisation_id -> Text,
        role -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    recovery_codes (id) {
        id -> Text,
        user_id -> Text,
        code_hash -> Text,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> Text,
        csrf_token -> Text,
        mfa_done -> Bool,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        expires_at -> Timestamp,
        source_address -> Nullable<Text>,
        user_agent -> Nullable<Text>,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> Text,
        user_id -> Text,
        name -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    password_resets (token_hash) {
        token_hash -> Text,
        user_id -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    login_throttle (key) {
        key -> Text,
        failures -> Integer,
        last_failure_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_log (seq) {
        seq -> BigInt,
        at -> Timestamp,
        actor_user_id -> Nullable<Text>,
        actor_name -> Text,
        actor_role -> Nullable<Text>,
        actor_organisation_id -> Nullable<Text>,
        action -> Text,
        object_type -> Text,
        object_id -> Nullable<Text>,
        child_id -> Nullable<Text>,
        reason -> Nullable<Text>,
        source_address -> Nullable<Text>,
        outcome -> Text,
        prev_hash -> Text,
        hash -> Text,
        keyed -> Bool,
        subject_org_id -> Nullable<Text>,
        other_subject_org_id -> Nullable<Text>,
        chain -> Integer,
    }
}

diesel::table! {
    practice_links (id) {
        id -> Text,
        practice_id -> Text,
        team_id -> Text,
        consultant_id -> Text,
        created_at -> Timestamp,
        accepted_at -> Nullable<Timestamp>,
        accepted_by -> Nullable<Text>,
    }
}

diesel::table! {
    consultation_hours (id) {
        id -> Text,
        link_id -> Text,
        weekday -> Integer,
        start_minute -> Integer,
        end_minute -> Integer,
    }
}

diesel::table! {
    hour_exceptions (id) {
        id -> Text,
        link_id -> Text,
        on_date -> Date,
        reason -> Nullable<Text>,
    }
}

diesel::table! {
    services (id) {
        id -> Text,
        organisation_id -> Text,
        name -> Text,
        description -> Text,
        category -> Text,
        access_route -> Text,
        age_min -> Integer,
        age_max -> Integer,
        problem_areas -> Text,
        cost -> Nullable<Text>,
        wait_weeks -> Nullable<Integer>,
        wait_reported_on -> Nullable<Date>,
        last_checked_on -> Date,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        tariff_cents -> Nullable<Integer>,
        tariff_unit -> Nullable<Text>,
        contracted_by -> Nullable<Text>,
        contract_from -> Nullable<Date>,
        contract_until -> Nullable<Date>,
        capacity -> Nullable<Integer>,
        import_source -> Nullable<Text>,
    }
}

diesel::table! {
    locations (id) {
        id -> Text,
        organisation_id -> Text,
        name -> Text,
        street -> Text,
        house_number -> Text,
        postcode -> Text,
        city -> Text,
        country -> Text,
        latitude -> Nullable<Double>,
        longitude -> Nullable<Double>,
        last_checked_on -> Date,
    }
}

diesel::table! {
    service_locations (service_id, location_id) {
        service_id -> Text,
        location_id -> Text,
    }
}

diesel::table! {
    service_areas (id) {
        id -> Text,
        service_id -> Text,
        kind -> Text,
        code -> Text,
    }
}

diesel::table! {
    directory_changes (id) {
        id -> Text,
        organisation_id -> Text,
        object_type -> Text,
        object_id -> Text,
        user_id -> Nullable<Text>,
        changed_at -> Timestamp,
        summary -> Text,
    }
}

diesel::table! {
    directory_version (id) {
        id -> Integer,
        version -> BigInt,
    }
}

diesel::table! {
    teams (id) {
        id -> Text,
        organisation_id -> Text,
        name -> Text,
        description -> Nullable<Text>,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        last_checked_on -> Date,
    }
}

diesel::table! {
    team_members (team_id, user_id) {
        team_id -> Text,
        user_id -> Text,
    }
}

diesel::table! {
    organisation_areas (id) {
        id -> Text,
        organisation_id -> Text,
        kind -> Text,
        code -> Text,
    }
}

diesel::table! {
    consultations (id) {
        id -> Text,
        practice_id -> Text,
        team_id -> Text,
        asker_id -> Text,
        subject_sealed -> Text,
        status -> Text,
        assignee_id -> Nullable<Text>,
        due_on -> Date,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        answered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    consultation_messages (id) {
        id -> Text,
        consultation_id -> Text,
        author_id -> Text,
        body_sealed -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    notifications (id) {
        id -> Text,
        user_id -> Text,
        text -> Text,
        link -> Text,
        created_at -> Timestamp,
        read_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    message_documents (id) {
        id -> Text,
        message_id -> Text,
        network_id -> Text,
        name_sealed -> Text,
        media_type -> Text,
        size_bytes -> BigInt,
        content_sealed -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    installation_keys (name) {
        name -> Text,
        wrapped -> Text,
        wrapped_at -> Timestamp,
    }
}

diesel::joinable!(services -> organisations (organisation_id));
diesel::joinable!(messages -> conversations (conversation_id));
diesel::joinable!(conversations -> networks (network_id));
diesel::joinable!(plans -> networks (network_id));
diesel::joinable!(meeting_participants -> meetings (meeting_id));
diesel::joinable!(meeting_items -> meetings (meeting_id));
diesel::joinable!(meeting_item_guests -> meeting_items (item_id));
diesel::joinable!(plan_actions -> networks (network_id));
diesel::joinable!(conversation_reads -> conversations (conversation_id));
diesel::joinable!(consultation_messages -> consultations (consultation_id));
diesel::joinable!(consultation_messages -> users (author_id));
diesel::joinable!(notifications -> users (user_id));
diesel::joinable!(teams -> organisations (organisation_id));
diesel::joinable!(team_members -> teams (team_id));
diesel::joinable!(team_members -> users (user_id));
diesel::joinable!(organisation_areas -> organisations (organisation_id));
diesel::joinable!(locations -> organisations (organisation_id));
diesel::joinable!(service_locations -> services (service_id));
diesel::joinable!(service_locations -> locations (location_id));
diesel::joinable!(service_areas -> services (service_id));
diesel::joinable!(memberships -> users (user_id));
diesel::joinable!(practice_links -> users (consultant_id));
diesel::joinable!(consultation_hours -> practice_links (link_id));
diesel::joinable!(hour_exceptions -> practice_links (link_id));
diesel::joinable!(memberships -> organisations (organisation_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(api_tokens -> users (user_id));
diesel::joinable!(organisations -> districts (wijk_code));

diesel::table! {
    referral_agreements (id) {
        id -> Text,
        gemeente_code -> Text,
        effective_from -> Date,
        consultation_days -> Integer,
        accept_days -> Integer,
        urgent_accept_days -> Integer,
        feedback_days -> Text,
        team_first_areas -> Text,
        team_first_urgencies -> Text,
        inform -> Text,
        note -> Nullable<Text>,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    children (id) {
        id -> Text,
        name_sealed -> Text,
        birth_date -> Date,
        gemeente_code -> Text,
        bsn_sealed -> Nullable<Text>,
        created_by -> Text,
        created_at -> Timestamp,
        match_bsn -> Nullable<Text>,
        match_name -> Nullable<Text>,
        wijk_code -> Nullable<Text>,
    }
}

diesel::table! {
    referral_facts (referral_id) {
        referral_id -> Text,
        child_id -> Text,
        gemeente_code -> Text,
        wijk_code -> Nullable<Text>,
        from_org_id -> Text,
        verwijzer -> Text,
        team_id -> Nullable<Text>,
        to_org_id -> Text,
        to_team -> Bool,
        service_id -> Nullable<Text>,
        onward -> Bool,
        via_consultation -> Bool,
        age_band -> Integer,
        problem_areas -> Text,
        sent_on -> Nullable<Date>,
        month -> Nullable<Integer>,
        accepted_on -> Nullable<Date>,
        started_on -> Nullable<Date>,
        ended_on -> Nullable<Date>,
        outcome -> Text,
        referred_on -> Bool,
        accept_on_time -> Nullable<Bool>,
        interim_on_time -> Nullable<Bool>,
        completion_fed_back -> Nullable<Bool>,
        case_director_id -> Nullable<Text>,
        interim_missing -> Bool,
    }
}

diesel::table! {
    benchmarks (id) {
        id -> Text,
        measure -> Text,
        table_id -> Text,
        period -> Text,
        region -> Text,
        value -> Double,
        provisional -> Bool,
        imported_at -> Timestamp,
    }
}

diesel::table! {
    practice_youth (practice_id, year) {
        practice_id -> Text,
        year -> Integer,
        youth -> Integer,
    }
}

diesel::table! {
    service_tariffs (service_id, year) {
        service_id -> Text,
        year -> Integer,
        cents -> BigInt,
        unit -> Text,
    }
}

diesel::table! {
    budgets (gemeente_code, year) {
        gemeente_code -> Text,
        year -> Integer,
        cents -> BigInt,
    }
}

diesel::table! {
    area_youth (code, year) {
        code -> Text,
        year -> Integer,
        youth -> Integer,
    }
}

diesel::table! {
    referrals (id) {
        id -> Text,
        child_id -> Text,
        parent_id -> Nullable<Text>,
        consultation_id -> Nullable<Text>,
        agreements_id -> Nullable<Text>,
        from_org_id -> Text,
        referrer_id -> Text,
        on_behalf_of_id -> Nullable<Text>,
        to_org_id -> Text,
        service_id -> Nullable<Text>,
        school_id -> Nullable<Text>,
        reason_sealed -> Text,
        problem_areas -> Text,
        urgency -> Text,
        status -> Text,
        case_director_id -> Nullable<Text>,
        due_on -> Nullable<Date>,
        accepted_on -> Nullable<Date>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    referral_events (id) {
        id -> Text,
        referral_id -> Text,
        from_status -> Nullable<Text>,
        to_status -> Text,
        actor_id -> Text,
        reason_sealed -> Nullable<Text>,
        at -> Timestamp,
    }
}

diesel::table! {
    referral_feedback (id) {
        id -> Text,
        referral_id -> Text,
        author_id -> Text,
        kind -> Text,
        body_sealed -> Text,
        at -> Timestamp,
        source_id -> Nullable<Text>,
    }
}

diesel::table! {
    referral_attachments (id) {
        id -> Text,
        referral_id -> Text,
        file_name_sealed -> Text,
        media_type -> Text,
        size_bytes -> Integer,
        content_sealed -> Text,
        uploaded_by -> Text,
        at -> Timestamp,
    }
}

diesel::joinable!(referrals -> children (child_id));
diesel::joinable!(referral_events -> referrals (referral_id));
diesel::joinable!(referral_feedback -> referrals (referral_id));
diesel::joinable!(referral_attachments -> referrals (referral_id));

diesel::table! {
    networks (id) {
        id -> Text,
        child_id -> Text,
        coordinator_id -> Text,
        coordinator_org_id -> Text,
        referral_id -> Nullable<Text>,
        opened_by -> Text,
        opened_at -> Timestamp,
    }
}

diesel::table! {
    network_members (id) {
        id -> Text,
        network_id -> Text,
        kind -> Text,
        user_id -> Nullable<Text>,
        organisation_id -> Nullable<Text>,
        name_sealed -> Nullable<Text>,
        relation -> Nullable<Text>,
        gezag -> Bool,
        role_label -> Text,
        state -> Text,
        added_by -> Text,
        added_at -> Timestamp,
        removed_by -> Nullable<Text>,
        removed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    consent_answers (id) {
        id -> Text,
        network_id -> Text,
        grantee_id -> Text,
        category -> Text,
        by_member_id -> Text,
        given -> Bool,
        how -> Text,
        answered_on -> Date,
        recorded_by -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    emergency_access (id) {
        id -> Text,
        network_id -> Text,
        user_id -> Text,
        reason_code -> Text,
        reason_text -> Text,
        opened_at -> Timestamp,
        until -> Timestamp,
    }
}

diesel::table! {
    not_for_parents (network_id, item_kind, item_id) {
        network_id -> Text,
        item_kind -> Text,
        item_id -> Text,
        marked_by -> Text,
        marked_at -> Timestamp,
    }
}

diesel::table! {
    retention_terms (child_id) {
        child_id -> Text,
        keep_until -> Date,
        reason -> Text,
        set_by -> Text,
        set_at -> Timestamp,
    }
}

diesel::table! {
    deletion_requests (id) {
        id -> Text,
        child_id -> Text,
        network_id -> Text,
        requested_by -> Text,
        requested_at -> Timestamp,
        note_sealed -> Nullable<Text>,
        state -> Text,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        decision_reason -> Nullable<Text>,
    }
}

diesel::table! {
    removals (id) {
        id -> Text,
        child_id -> Text,
        basis -> Text,
        removed_by -> Text,
        removed_at -> Timestamp,
        summary -> Text,
    }
}

diesel::table! {
    meetings (id) {
        id -> Text,
        team_org_id -> Text,
        title -> Text,
        starts_at -> Timestamp,
        place -> Text,
        video_link -> Nullable<Text>,
        chair_id -> Text,
        state -> Text,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    meeting_participants (meeting_id, user_id) {
        meeting_id -> Text,
        user_id -> Text,
    }
}

diesel::table! {
    meeting_items (id) {
        id -> Text,
        meeting_id -> Text,
        position -> Integer,
        kind -> Text,
        network_id -> Nullable<Text>,
        referral_id -> Nullable<Text>,
        question_sealed -> Nullable<Text>,
        added_by -> Text,
        added_at -> Timestamp,
        discussion_sealed -> Nullable<Text>,
        decisions_sealed -> Nullable<Text>,
        actions_sealed -> Nullable<Text>,
        plan_version -> Nullable<Integer>,
        recorded_by -> Nullable<Text>,
        recorded_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    meeting_item_guests (item_id, user_id) {
        item_id -> Text,
        user_id -> Text,
        member_id -> Text,
        invited_by -> Text,
        invited_at -> Timestamp,
    }
}

diesel::table! {
    plans (network_id) {
        network_id -> Text,
        latest -> Integer,
        evaluation_on -> Nullable<Date>,
        updated_at -> Timestamp,
        next_due_on -> Nullable<Date>,
    }
}

diesel::table! {
    plan_versions (id) {
        id -> Text,
        network_id -> Text,
        number -> Integer,
        content_sealed -> Text,
        source -> Text,
        meeting_id -> Nullable<Text>,
        saved_by -> Text,
        saved_at -> Timestamp,
    }
}

diesel::table! {
    plan_actions (network_id, item_key) {
        network_id -> Text,
        item_key -> Text,
        owner_member_id -> Nullable<Text>,
        due_on -> Nullable<Date>,
        status -> Text,
        what_sealed -> Text,
        not_for_parents -> Bool,
        reminded_on -> Nullable<Date>,
    }
}

diesel::table! {
    plan_responses (id) {
        id -> Text,
        network_id -> Text,
        version_id -> Text,
        member_id -> Text,
        kind -> Text,
        comment_sealed -> Nullable<Text>,
        by_user -> Text,
        at -> Timestamp,
    }
}

diesel::table! {
    network_milestones (network_id, age) {
        network_id -> Text,
        age -> Integer,
        noticed_at -> Timestamp,
    }
}

diesel::table! {
    network_keys (network_id) {
        network_id -> Text,
        wrapped -> Text,
        created_at -> Timestamp,
        wrapped_at -> Timestamp,
    }
}

diesel::table! {
    conversations (id) {
        id -> Text,
        network_id -> Text,
        kind -> Text,
        title_sealed -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        last_seq -> BigInt,
        last_at -> Timestamp,
    }
}

diesel::table! {
    conversation_members (conversation_id, member_id) {
        conversation_id -> Text,
        member_id -> Text,
    }
}

diesel::table! {
    messages (id) {
        id -> Text,
        conversation_id -> Text,
        seq -> BigInt,
        author_id -> Text,
        body_sealed -> Text,
        client_id -> Nullable<Text>,
        sent_at -> Timestamp,
        edited_at -> Nullable<Timestamp>,
        withdrawn_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    message_edits (id) {
        id -> Text,
        message_id -> Text,
        body_sealed -> Text,
        replaced_at -> Timestamp,
    }
}

diesel::table! {
    conversation_reads (conversation_id, user_id) {
        conversation_id -> Text,
        user_id -> Text,
        seq -> BigInt,
        read_at -> Nullable<Timestamp>,
        mailed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    notice_choices (user_id) {
        user_id -> Text,
        choice -> Text,
        daily_sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    network_events (id) {
        id -> BigInt,
        tx -> BigInt,
        network_id -> Text,
        conversation_id -> Nullable<Text>,
        message_id -> Nullable<Text>,
        user_id -> Nullable<Text>,
        kind -> Text,
        at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    districts,
    organisations,
    users,
    memberships,
    recovery_codes,
    sessions,
    api_tokens,
    password_resets,
    login_throttle,
    audit_log,
    practice_links,
    consultation_hours,
    hour_exceptions,
    services,
    locations,
    service_locations,
    service_areas,
    directory_changes,
    directory_version,
    teams,
    team_members,
    organisation_areas,
    consultations,
    consultation_messages,
    notifications,
    referral_agreements,
    children,
    referrals,
    referral_events,
    referral_feedback,
    referral_attachments,
    networks,
    network_members,
    consent_answers,
    emergency_access,
    not_for_parents,
    network_milestones,
    plans,
    plan_versions,
    meetings,
    retention_terms,
    deletion_requests,
    removals,
    meeting_participants,
    meeting_items,
    meeting_item_guests,
    plan_actions,
    plan_responses,
    network_keys,
    conversations,
    conversation_members,
    messages,
    message_edits,
    conversation_reads,
    notice_choices,
    network_events,
    message_documents,
    installation_keys,
    referral_facts,
    benchmarks,
    practice_youth,
    area_youth,
    service_tariffs,
    budgets,
);
