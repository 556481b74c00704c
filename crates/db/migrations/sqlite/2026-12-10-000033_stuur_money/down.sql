DROP TABLE budgets;
DROP TABLE service_tariffs;
