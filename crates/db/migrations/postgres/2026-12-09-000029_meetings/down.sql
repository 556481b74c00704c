DROP TABLE meeting_item_guests;
DROP TABLE meeting_items;
DROP TABLE meeting_participants;
DROP TABLE meetings;
