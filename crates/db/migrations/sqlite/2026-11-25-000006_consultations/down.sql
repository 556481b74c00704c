DROP TABLE notifications;
DROP TABLE consultation_messages;
DROP TABLE consultations;
