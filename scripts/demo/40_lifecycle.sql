-- A year of subscriptions, fast-forwarded day by day: renewal notices,
-- renewals (one to fewer seats), a switch to direct billing, a trial that
-- converts, lapses, a reactivation, purges, and the change notices the
-- partner of record gets (rules R1-R6, P3, P4, A4)
SET search_path = por_partner, public;
\echo
\echo '== A year in the life of a book of subscriptions =='

-- the book: seven customers whose terms end over the coming year
INSERT INTO key_card (product_key, sku_code, licenses, partner_id)
SELECT pg_temp.sample_key('book-' || i), 'O365_SMALL_BUSINESS', 1, :northwind FROM generate_series(1, 60) AS i;
CREATE TEMP TABLE book (customer text, subscription_id bigint, plan text);
INSERT INTO book
SELECT c.customer,
       create_customer_subscription(:northwind, ARRAY[pg_temp.sample_key('book-' || (2 * c.n - 1)), pg_temp.sample_key('book-' || 2 * c.n)],
                                    c.customer, c.country, 'Pat', 'Admin', 'pat@' || c.n || '.book.example',
                                    (current_date - 365 + c.ends_in)::date),
       c.plan
  FROM (VALUES (1, 'Alpine Outfitters', 'AT', 20, 'renews with keys at its 7-day notice'),
               (2, 'Baltic Freight', 'LT', 75, 'switches to direct billing the day before expiry'),
               (3, 'Cedar Clinics', 'IE', 110, 'renews with keys at its 7-day notice'),
               (4, 'Delta Bakeries', 'NL', 150, 'lapses'),
               (5, 'Elbe Logistics', 'DE', 190, 'lapses, then is reactivated on day 45'),
               (6, 'Fjord Analytics', 'NO', 230, 'renews with one key at its 7-day notice: fewer seats'),
               (7, 'Garda Studio', 'IT', 270, 'lapses')) AS c(n, customer, country, ends_in, plan);
UPDATE subscription SET partner_of_record = :northwind WHERE subscription_id IN (SELECT subscription_id FROM book);
-- and a customer on a trial, with a second user, that buys on day 20 (A4)
SELECT create_trial_invitation(:northwind, 'O365_SMALL_BUSINESS') AS harbor_url \gset
INSERT INTO book SELECT 'Harbor Labs', accept_trial_invitation(:'harbor_url', 'Harbor Labs', 'DK', 'Hal', 'Harbor', 'hal@harbor.example'),
                        'on a trial; buys with 3 keys on day 20';
SELECT add_user(s.tenant_id, 'Hanne', 'Harbor', 'hanne@harbor.example', s.subscription_id) IS NOT NULL AS "Harbor's second user"
  FROM subscription s JOIN book b USING (subscription_id) WHERE b.customer = 'Harbor Labs';
INSERT INTO key_card (product_key, sku_code, licenses, partner_id)
SELECT pg_temp.sample_key('harbor-' || i), 'O365_SMALL_BUSINESS', 1, :northwind FROM generate_series(1, 3) AS i;

CREATE TEMP TABLE timeline (day date, customer text, event text);
DO $$
DECLARE
	d date;
	c record;
	n record;
	s record;
	k int := 8;			-- the next unused pair of book keys (7 customers used pairs 1-7)
	new_id bigint;
	new_end date;
	seen bigint := (SELECT coalesce(max(notice_id), 0) FROM por_partner.change_notice);
BEGIN
	FOR d IN SELECT generate_series(current_date, current_date + 365, interval '1 day')::date LOOP
		-- the nightly job: notices due today
		FOR n IN SELECT b.customer, r.days_before, string_agg(r.recipient, ' + ' ORDER BY r.recipient) AS who
		           FROM por_partner.send_renewal_notices(d) AS r JOIN book b USING (subscription_id)
		          GROUP BY b.customer, r.days_before LOOP
			INSERT INTO timeline VALUES (d, n.customer, format('%s-day renewal notice to %s', n.days_before, n.who));
		END LOOP;
		-- what the customers do
		FOR c IN SELECT * FROM book LOOP
			SELECT * INTO s FROM por_partner.subscription WHERE subscription_id = c.subscription_id;
			IF c.plan LIKE 'renews with one key%' AND s.expires_on - d = 7 THEN
				new_end := por_partner.renew_subscription(s.subscription_id, ARRAY[pg_temp.sample_key('book-' || (2 * k - 1))], d);
				k := k + 1;
				INSERT INTO timeline VALUES (d, c.customer, format('renewed with 1 key: %s seats, and the term now ends %s',
				        (SELECT seats FROM por_partner.subscription WHERE subscription_id = s.subscription_id), new_end));
			ELSIF c.plan LIKE 'on a trial%' AND d = current_date + 20 THEN
				new_id := por_partner.create_subscription(s.tenant_id,
					ARRAY(SELECT pg_temp.sample_key('harbor-' || i) FROM generate_series(1, 3) AS i), d);
				UPDATE book SET subscription_id = new_id, plan = 'bought' WHERE customer = c.customer;
				INSERT INTO timeline VALUES (d, c.customer, format('bought with 3 keys: subscription %s licenses the trial''s %s users; the trial ends today',
				        new_id, (SELECT licensed_users FROM por_partner.subscription WHERE subscription_id = new_id)));
			ELSIF c.plan LIKE 'renews%' AND s.expires_on - d = 7 THEN
				new_end := por_partner.renew_subscription(s.subscription_id,
					ARRAY[pg_temp.sample_key('book-' || (2 * k - 1)), pg_temp.sample_key('book-' || 2 * k)], d);
				k := k + 1;
				INSERT INTO timeline VALUES (d, c.customer, format('renewed with 2 keys: the term now ends %s', new_end));
			ELSIF c.plan LIKE 'switches%' AND s.expires_on - d = 1 THEN
				new_id := por_partner.renew_with_direct_billing(s.subscription_id, d);
				UPDATE book SET subscription_id = new_id, plan = 'billed directly' WHERE customer = c.customer;
				INSERT INTO timeline VALUES (d, c.customer, format('switched to direct billing: subscription %s starts today', new_id));
			ELSIF c.plan LIKE 'lapses%' AND d > s.expires_on
			      AND por_partner.subscription_phase(s.expires_on, d) <> por_partner.subscription_phase(s.expires_on, d - 1) THEN
				INSERT INTO timeline VALUES (d, c.customer, format('now %s (day %s after expiry)',
				                                                   por_partner.subscription_phase(s.expires_on, d), d - s.expires_on));
			END IF;
			IF c.plan LIKE '%reactivated%' AND d - s.expires_on = 45 THEN
				new_end := por_partner.renew_subscription(s.subscription_id,
					ARRAY[pg_temp.sample_key('book-' || (2 * k - 1)), pg_temp.sample_key('book-' || 2 * k)], d);
				k := k + 1;
				UPDATE book SET plan = 'reactivated' WHERE customer = c.customer;
				INSERT INTO timeline VALUES (d, c.customer, format('reactivated while disabled: a new term from today to %s', new_end));
			END IF;
			IF d = s.expires_on AND c.plan LIKE 'lapses%' THEN
				INSERT INTO timeline VALUES (d, c.customer, 'expired: users keep working for 30 days');
			END IF;
		END LOOP;
		-- the nightly purge
		FOR n IN SELECT b.customer FROM book b JOIN por_partner.subscription su USING (subscription_id)
		          WHERE su.expires_on = d - 120 AND su.licensed_users > 0 LOOP
			INSERT INTO timeline VALUES (d, n.customer, 'data purged: licenses and users deleted, the subscription kept as history');
		END LOOP;
		PERFORM por_partner.purge_deprovisioned(d);
		-- what the partner of record was told today (P3)
		INSERT INTO timeline
		SELECT d, t.organization_name, format('change notice to the partner of record: %s %s', cn.what,
		       CASE WHEN cn.what = 'partner_of_record' THEN 'named'
		            ELSE coalesce(cn.old_value, '-') || ' -> ' || coalesce(cn.new_value, '-') END)
		  FROM por_partner.change_notice cn JOIN por_partner.tenant t USING (tenant_id)
		 WHERE cn.notice_id > seen ORDER BY cn.notice_id;
		seen := (SELECT coalesce(max(notice_id), seen) FROM por_partner.change_notice);
	END LOOP;
END $$;

\echo '(the partner of record, in Cloud Essentials, gets a change notice for each change: P3)'
SELECT day, customer, event FROM timeline
 WHERE event NOT LIKE '%-day renewal notice%' OR event LIKE '60-day%' OR event LIKE '7-day%' OR event LIKE '1-day%'
 ORDER BY day, customer, event;
\echo '(the 30-day notices are left out above; every renewal notice sent:)'
SELECT days_before AS "notice", count(*) FILTER (WHERE recipient = 'customer') AS "to customers",
       count(*) FILTER (WHERE recipient = 'partner') AS "to the partner of record"
  FROM renewal_notice
 WHERE tenant_id IN (SELECT s.tenant_id FROM subscription s JOIN book b USING (subscription_id))
 GROUP BY 1 ORDER BY 1 DESC;

\echo
\echo 'A year from now, as a BI tool sees the book (subscription_overview as of today, phases as of then):'
SELECT o.organization_name AS customer, o.billing, o.seats, o.licensed_users AS licensed, o.expires_on,
       subscription_phase(o.expires_on, current_date + 365) AS "phase a year from now"
  FROM subscription_overview o JOIN book b USING (subscription_id)
 ORDER BY o.expires_on;
