/* sql/40_customers/code_rules.sql: the rules of tenants, subscriptions, licenses and key cards, held by triggers whichever client writes */

-- Tenants: the country must be one where the service is offered (rule C2);
-- a new tenant's admin becomes a user with the global_admin role (rule C3).
CREATE OR REPLACE FUNCTION por_partner_internal.tenant_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	c record;
BEGIN
	NEW.country_code := upper(NEW.country_code);
	IF TG_OP = 'UPDATE' AND NEW.country_code = OLD.country_code THEN
		RETURN NEW;
	END IF;
	SELECT * INTO c FROM @extschema@.country WHERE code = NEW.country_code;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'country "%" does not exist', NEW.country_code
			USING ERRCODE = 'foreign_key_violation',
			      HINT = 'Use an ISO 3166-1 alpha-2 code from table por_partner.country.';
	END IF;
	IF NOT c.service_available THEN
		RAISE EXCEPTION 'Microsoft 365 is not offered in "%" (country code "%")', c.name, c.code
			USING ERRCODE = 'check_violation',
			      DETAIL = 'Customers can be created only in countries and regions where the service is offered (rule C2).',
			      HINT = 'If the service is offered there now, an operator can set por_partner.country.service_available.';
	END IF;
	RETURN NEW;
END $$;

COMMENT ON FUNCTION por_partner_internal.tenant_check() IS
	'Trigger: a tenant''s country must be one where the service is offered (rule C2).';

CREATE OR REPLACE FUNCTION por_partner_internal.tenant_create_admin() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, @extschema@, pg_temp AS $$
BEGIN
	INSERT INTO @extschema@.tenant_user (tenant_id, first_name, last_name, email, admin_role)
	VALUES (NEW.tenant_id, NEW.admin_first_name, NEW.admin_last_name, NEW.admin_email, 'global_admin');
	RETURN NULL;
END $$;

COMMENT ON FUNCTION por_partner_internal.tenant_create_admin() IS
	'Trigger: a new tenant''s admin person becomes its first user, with the global_admin role (rule C3).';

-- Subscriptions: licensed_users starts at the admin's license, 1 or 0, and
-- is kept by the license triggers; seats never drop below it (rule C5); the
-- agreement comes from the SKU (rule C4); a new subscription licenses the
-- tenant's admin (rule C3).
CREATE OR REPLACE FUNCTION por_partner_internal.subscription_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	sku_agreement text;
	other @extschema@.subscription;
BEGIN
	-- a new subscription counts from the start the admin's license that
	-- subscription_license_admin makes (rule C3), under the same conditions,
	-- so that the count is written with the row and not by a second UPDATE
	-- (license_count is told which license that is: src/license_precount.c)
	IF TG_OP = 'INSERT' THEN
		-- the conditions of subscription_license_admin's INSERT, asked here
		-- inline: as one function called by both, they cost 5% of a call
		NEW.licensed_users := CASE WHEN @extschema@.subscription_phase(NEW.expires_on, current_date) IN ('active', 'expired')
		                            AND EXISTS (SELECT 1 FROM @extschema@.tenant_user u
		                                         WHERE u.tenant_id = NEW.tenant_id AND u.admin_role = 'global_admin')
		                           THEN 1 ELSE 0 END;
	END IF;
	IF TG_OP = 'INSERT' OR NEW.agreement IS DISTINCT FROM OLD.agreement OR NEW.sku_code <> OLD.sku_code THEN
		SELECT s.agreement INTO sku_agreement FROM @extschema@.sku s WHERE s.sku_code = NEW.sku_code;
		IF NEW.agreement IS NULL THEN
			NEW.agreement := sku_agreement;
		ELSIF sku_agreement IS NOT NULL AND NEW.agreement <> sku_agreement THEN
			RAISE EXCEPTION 'a % subscription is under the "%", not the "%"', NEW.sku_code, sku_agreement, NEW.agreement
				USING ERRCODE = 'check_violation',
				      DETAIL = 'The agreement that applies is the one of the subscription''s product (rule C4).',
				      HINT = 'Leave agreement null to have it filled in.';
		END IF;
	END IF;
	-- a subscription stays with its tenant: its licenses' tenant_id is its own
	IF TG_OP = 'UPDATE' AND NEW.tenant_id <> OLD.tenant_id THEN
		RAISE EXCEPTION 'subscription % cannot move to another tenant', OLD.subscription_id
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      DETAIL = format('It is a subscription of tenant %s; its licenses are held by that tenant''s users.', OLD.tenant_id),
			      HINT = 'Set the other tenant up with a subscription of its own.';
	END IF;
	-- a superseded subscription is renewed and given seats no more (R3, R4)
	IF TG_OP = 'UPDATE' AND OLD.superseded_by IS NOT NULL
	   AND (NEW.seats > OLD.seats OR NEW.expires_on > OLD.expires_on) THEN
		PERFORM por_partner_internal.require_not_superseded(OLD,
			CASE WHEN NEW.expires_on > OLD.expires_on THEN 'renewed' ELSE 'given seats' END);
	END IF;
	-- one paid path at a time (rules R3, R4), against concurrent writers too:
	-- the writers of a tenant's paid terms take turns on the tenant's row
	-- (FOR NO KEY UPDATE: foreign-key checks, FOR KEY SHARE, do not wait),
	-- and the look for an overlapping term sees what committed before it had
	-- the lock, whatever the isolation level (paid_term_overlap, src/paid_term.c).
	-- The functions that add subscriptions take the lock first, before the
	-- key cards, for their lock order; here it holds for direct writes too
	-- (taking it again in the same transaction waits for nothing)
	IF NEW.billing <> 'trial'
	   AND (TG_OP = 'INSERT' OR (NEW.tenant_id, NEW.sku_code, NEW.billing, NEW.starts_on, NEW.expires_on)
	                            IS DISTINCT FROM (OLD.tenant_id, OLD.sku_code, OLD.billing, OLD.starts_on, OLD.expires_on)) THEN
		PERFORM por_partner_internal.lock_tenant(NEW.tenant_id);
		other := por_partner_internal.paid_term_overlap(NEW.tenant_id, NEW.sku_code, NEW.starts_on, NEW.expires_on,
		                                                NEW.subscription_id);
		IF other.subscription_id IS NOT NULL THEN
			PERFORM por_partner_internal.raise_paid_term_overlap(NEW, other);
		END IF;
	END IF;
	IF TG_OP = 'INSERT' THEN
		RETURN NEW;
	END IF;
	IF @extschema@.subscription_phase(OLD.expires_on, current_date) = 'deprovisioned'
	   AND (NEW.licensed_users > OLD.licensed_users
	        OR (NEW.subscription_id, NEW.tenant_id, NEW.sku_code, NEW.seats, NEW.billing, NEW.starts_on,
	            NEW.expires_on, NEW.partner_of_record, NEW.agreement)
	           IS DISTINCT FROM
	           (OLD.subscription_id, OLD.tenant_id, OLD.sku_code, OLD.seats, OLD.billing, OLD.starts_on,
	            OLD.expires_on, OLD.partner_of_record, OLD.agreement)) THEN
		RAISE EXCEPTION 'subscription % is deprovisioned', OLD.subscription_id
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      DETAIL = format('It expired on %s, more than %s days ago; it can no longer be changed or reactivated (rule R6).',
			                      OLD.expires_on, por_partner_internal.subscription_phase_start('deprovisioned')),
			      HINT = 'Set the customer up with a new subscription.';
	END IF;
	-- seats are added to a running term, or to one in its 30 days of grace,
	-- never to a disabled one (rules K3, R5, R6): renew it first
	IF NEW.seats > OLD.seats AND NEW.expires_on = OLD.expires_on
	   AND @extschema@.subscription_phase(OLD.expires_on, current_date) = 'disabled' THEN
		RAISE EXCEPTION 'subscription % is disabled; seats are not added to it', OLD.subscription_id
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      DETAIL = format('It expired on %s; from day %s after expiry its users lose access, and a term that ended takes no more seats (rules K3, R5, R6).',
			                      OLD.expires_on, por_partner_internal.subscription_phase_start('disabled')),
			      HINT = 'Renew the subscription to reactivate it, then add seats.';
	END IF;
	-- only the license triggers' own update moves the count (src/license_precount.c)
	IF NEW.licensed_users IS DISTINCT FROM OLD.licensed_users
	   AND NOT por_partner_internal.count_being_kept(OLD.subscription_id) THEN
		RAISE EXCEPTION 'column "licensed_users" of subscription % cannot be set', OLD.subscription_id
			USING ERRCODE = 'generated_always',
			      DETAIL = 'It counts the licenses of the subscription and is kept by the extension.',
			      HINT = 'Use por_partner.assign_license() and por_partner.remove_license().';
	END IF;
	IF NEW.seats < NEW.licensed_users THEN
		RAISE EXCEPTION 'subscription % has % licensed users, so it cannot have % seats', OLD.subscription_id,
				NEW.licensed_users, NEW.seats
			USING ERRCODE = 'check_violation',
			      DETAIL = format('A subscription never has more licensed users than seats (rules C5, R3): remove %s licenses first.',
			                      NEW.licensed_users - NEW.seats),
			      HINT = 'por_partner.remove_license() takes a license back.';
	END IF;
	RETURN NEW;
END $$;

COMMENT ON FUNCTION por_partner_internal.subscription_check() IS
	'Trigger: starts subscription.licensed_users at the admin''s license (rule C3), keeps it to the license triggers and seats at or above it (rule C5); fills the agreement from the SKU (rule C4).';

-- SECURITY DEFINER: only the extension's owner may tell license_count that
-- a license was counted already (admin_license_precounted()); no other role
-- may execute this function, so none can fire it on a table of its own.
CREATE OR REPLACE FUNCTION por_partner_internal.subscription_license_admin() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	licensed int;
	marked boolean;
BEGIN
	IF TG_RELID <> '@extschema@.subscription'::regclass THEN
		RAISE EXCEPTION 'subscription_license_admin() fires only on table por_partner.subscription'
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	-- The admin person named on the tenant, else its first global admin (the
	-- conditions subscription_check counts it under).  Where subscription_check
	-- counted that license already (NEW.licensed_users is 1), license_count is
	-- told not to count it again and license_check not to check it again: the
	-- INSERT asks what license_check would (the user is of the tenant; the
	-- term is active or expired, and not superseded: rules R3, R4, R6), of the
	-- very row version inserted, whose count holds the license, where
	-- subscription_inserted_row() saw it just before this trigger
	-- (src/license_precount.c).  The statement may have changed that row
	-- since: another row of it converting the trial (rule A4), an operator's
	-- code deleting the row, or giving its id to another; such a row is
	-- refused.  Where the INSERT licenses nobody of the row as inserted, the
	-- count follows the licenses, and the INSERT is made again unmarked, as
	-- for any other license: the triggers check it and count it, and refuse a
	-- superseded term's (55000).
	marked := NEW.licensed_users = 1;
	LOOP
		IF marked THEN
			PERFORM por_partner_internal.admin_license_precounted(NEW.subscription_id);
		END IF;
		INSERT INTO @extschema@.license (subscription_id, user_id, tenant_id)
		SELECT s.subscription_id, u.user_id, u.tenant_id
		  FROM @extschema@.subscription s
		  JOIN @extschema@.tenant_user u ON u.tenant_id = s.tenant_id
		  JOIN @extschema@.tenant t ON t.tenant_id = u.tenant_id
		 WHERE s.subscription_id = NEW.subscription_id
		   AND (NOT marked OR (s.ctid = por_partner_internal.inserted_row_ctid(NEW.subscription_id) AND s.superseded_by IS NULL))
		   AND u.admin_role = 'global_admin'
		   AND @extschema@.subscription_phase(s.expires_on, current_date) IN ('active', 'expired')
		 ORDER BY lower(u.email) = lower(t.admin_email) DESC, u.user_id
		 LIMIT 1;
		GET DIAGNOSTICS licensed = ROW_COUNT;
		EXIT WHEN NOT marked;
		PERFORM por_partner_internal.admin_license_precounted(NULL);
		EXIT WHEN licensed = 1;
		IF NOT EXISTS (SELECT 1 FROM @extschema@.subscription s
		                WHERE s.ctid = por_partner_internal.inserted_row_ctid(NEW.subscription_id) AND s.subscription_id = NEW.subscription_id) THEN
			RAISE EXCEPTION 'subscription % was changed in the statement that inserted it, before its admin was licensed', NEW.subscription_id
				USING ERRCODE = 'object_not_in_prerequisite_state',
				      DETAIL = 'Its row was updated, deleted or replaced by the statement''s own triggers or functions, before the row''s trigger gave the tenant''s admin the license its count holds (rules C3, C5; a trial a purchase of the same statement converts, rule A4).',
				      HINT = 'Insert the subscription in a statement of its own, and change it in another.';
		END IF;
		PERFORM por_partner_internal.move_license_count(NEW.subscription_id, -1);
		marked := false;
	END LOOP;
	-- a purchase converts the tenant's running trial of its product (rule
	-- A4): here, after the admin's license, in the one AFTER INSERT trigger
	IF NEW.billing <> 'trial'
	   AND EXISTS (SELECT 1 FROM @extschema@.subscription s
	                WHERE s.tenant_id = NEW.tenant_id AND s.sku_code = NEW.sku_code AND s.billing = 'trial'
	                  AND s.superseded_by IS NULL) THEN
		PERFORM por_partner_internal.convert_trial(NEW);
	END IF;
	RETURN NULL;
END $$;

COMMENT ON FUNCTION por_partner_internal.subscription_license_admin() IS
	'Trigger: a new subscription gives the tenant''s admin a license (rule C3), unless it is brought in already disabled or deprovisioned (rule R6); a purchase converts the tenant''s running trial of its product (rule A4, convert_trial()).';

-- A subscription billed by product key exists only with a key redeemed to
-- activate it (rules K3, A6); checked at commit, after the keys are marked.
-- SECURITY DEFINER: a deferred trigger runs at commit, after the function
-- that wrote the row has returned, as the caller (a partner's login reads no
-- key_card).
CREATE OR REPLACE FUNCTION por_partner_internal.subscription_has_activation_key() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
BEGIN
	-- the trigger's WHEN clause calls this only for billing = 'product_key'
	IF NOT EXISTS (
			SELECT 1 FROM @extschema@.key_card k
			 WHERE k.subscription_id = NEW.subscription_id AND k.redeemed_as = 'activate') THEN
		RAISE EXCEPTION 'subscription % is billed by product key but no key activated it', NEW.subscription_id
			USING ERRCODE = 'check_violation',
			      DETAIL = 'A subscription is set up with product keys by redeeming them (rules K3, A6).',
			      HINT = 'Use por_partner.create_customer_subscription().';
	END IF;
	RETURN NULL;
END $$;

COMMENT ON FUNCTION por_partner_internal.subscription_has_activation_key() IS
	'Constraint trigger: a subscription billed by product key has a key redeemed to activate it (rules K3, A6).';

-- Rules R3, R4: a subscription another took over (a switch to direct
-- billing, a trial converted) is renewed, given seats and licensed no more.
CREATE OR REPLACE FUNCTION por_partner_internal.require_not_superseded(s @extschema@.subscription, what text)
RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
BEGIN
	IF s.superseded_by IS NOT NULL THEN
		RAISE EXCEPTION 'subscription % was superseded by subscription %', s.subscription_id, s.superseded_by
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      DETAIL = format('It can no longer be %s: a customer has one paid path for its seats, the subscription that took over (rules R3, R4).', what),
			      HINT = format('Use subscription %s.', s.superseded_by);
	END IF;
END $$;

COMMENT ON FUNCTION por_partner_internal.require_not_superseded(@extschema@.subscription, text) IS
	'Internal: raises 55000, naming the subscription that took over, when the subscription was superseded (rules R3, R4); what: what it would have been (renewed, given seats, given licenses).';

-- Rules R3, R4: one paid term of a product covers a tenant's day (the
-- trigger subscription_check finds the other term).
-- The paid term of the tenant's product that a term would overlap, as
-- committed now (not as of the transaction's snapshot): the caller holds the
-- tenant's row lock (rules R3, R4; src/paid_term.c).
CREATE OR REPLACE FUNCTION por_partner_internal.paid_term_overlap(tenant_id bigint, sku_code text, starts_on date,
	expires_on date, self bigint)
RETURNS @extschema@.subscription
AS 'MODULE_PATHNAME', 'por_partner_paid_term_overlap'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION por_partner_internal.paid_term_overlap(bigint, text, date, date, bigint) IS
	'Internal: the earliest paid subscription of the tenant and SKU other than self whose term overlaps [starts_on, expires_on), as committed now, whatever the isolation level; null for none (rules R3, R4).  The caller holds the tenant''s row lock.';

CREATE OR REPLACE FUNCTION por_partner_internal.raise_paid_term_overlap(s @extschema@.subscription, o @extschema@.subscription)
RETURNS void
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
BEGIN
	RAISE EXCEPTION 'tenant % has subscription % of % for [%, %)', s.tenant_id, o.subscription_id, s.sku_code,
			o.starts_on, o.expires_on
		USING ERRCODE = 'exclusion_violation',
		      DETAIL = format('A term [%s, %s) would overlap it; a customer has one paid subscription of a product on any day, renewed with keys or billed directly, never both (rules R3, R4).',
		                      s.starts_on, s.expires_on),
		      HINT = CASE o.billing WHEN 'product_key'
		                  THEN format('Renew subscription %s with por_partner.renew_subscription(), or add seats with por_partner.add_licenses().', o.subscription_id)
		                  ELSE format('Subscription %s is billed directly; start the new one on or after %s.', o.subscription_id, o.expires_on) END;
END $$;

COMMENT ON FUNCTION por_partner_internal.raise_paid_term_overlap(@extschema@.subscription, @extschema@.subscription) IS
	'Internal: raises 23P01 for a subscription whose paid term would overlap the other subscription o of its tenant and product (rules R3, R4), naming o and what to do.';

-- Licenses: the user belongs to the subscription's tenant; seats are never
-- exceeded (rule C5).  The count is kept on the subscription row, whose row
-- lock serializes concurrent assignments to one subscription.
CREATE OR REPLACE FUNCTION por_partner_internal.license_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	sub @extschema@.subscription;
	expires date;
	phase @extschema@.subscription_phase;
BEGIN
	IF TG_OP = 'UPDATE' THEN
		IF (NEW.subscription_id, NEW.user_id) IS DISTINCT FROM (OLD.subscription_id, OLD.user_id) THEN
			RAISE EXCEPTION 'a license cannot be moved'
				USING ERRCODE = 'object_not_in_prerequisite_state',
				      HINT = 'Remove the license and assign a new one.';
		END IF;
		NEW.tenant_id := OLD.tenant_id;
		RETURN NEW;
	END IF;
	SELECT * INTO sub FROM @extschema@.subscription s WHERE s.subscription_id = NEW.subscription_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'subscription % does not exist', NEW.subscription_id
			USING ERRCODE = 'foreign_key_violation';
	END IF;
	NEW.tenant_id := sub.tenant_id;
	expires := sub.expires_on;
	IF sub.superseded_by IS NOT NULL THEN
		PERFORM por_partner_internal.require_not_superseded(sub, 'given licenses');
	END IF;
	phase := @extschema@.subscription_phase(expires, current_date);
	IF phase IN ('disabled', 'deprovisioned') THEN
		RAISE EXCEPTION 'subscription % is %', NEW.subscription_id, phase
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      DETAIL = format('It expired on %s; from day %s after expiry users lose access and no license is assigned (rules R5, R6).',
			                      expires, por_partner_internal.subscription_phase_start('disabled')),
			      HINT = CASE phase WHEN 'disabled' THEN 'Renew the subscription to reactivate it.'
			                        ELSE format('The subscription is past day %s and cannot be reactivated.',
			                                    por_partner_internal.subscription_phase_start('deprovisioned')) END;
	END IF;
	-- one answer for a user of another tenant and one that does not exist
	-- (require_user_of_subscription() gives it); the user found by its key
	IF (SELECT u.tenant_id FROM @extschema@.tenant_user u WHERE u.user_id = NEW.user_id) IS DISTINCT FROM sub.tenant_id THEN
		PERFORM por_partner_internal.require_user_of_subscription(NEW.subscription_id, NEW.user_id);
	END IF;
	RETURN NEW;
END $$;

COMMENT ON FUNCTION por_partner_internal.license_check() IS
	'Trigger: a license joins a user and a subscription of the same tenant, is never moved, and is not assigned on a disabled or deprovisioned subscription (rules R5, R6).';

-- SECURITY DEFINER: only the extension's owner may say that it is the
-- license triggers that update a count (count_kept()); no other role may
-- execute this function, so none can fire it on a table of its own.
CREATE OR REPLACE FUNCTION por_partner_internal.license_count() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	s record;
BEGIN
	IF TG_RELID <> '@extschema@.license'::regclass THEN
		RAISE EXCEPTION 'license_count() fires only on table por_partner.license'
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	IF TG_OP = 'DELETE' THEN
		PERFORM por_partner_internal.move_license_count(OLD.subscription_id, -1);
		RETURN NULL;
	END IF;
	-- a new subscription's admin license, counted with the row
	-- (subscription_check, subscription_license_admin)
	IF por_partner_internal.precounted_license_taken(NEW.subscription_id) THEN
		RETURN NULL;
	END IF;
	-- lock first: an assignment waits for a concurrent one, or for a removal,
	-- to commit, and then sees its count (under REPEATABLE READ it fails 40001)
	SELECT seats, licensed_users INTO s FROM @extschema@.subscription
	 WHERE subscription_id = NEW.subscription_id FOR NO KEY UPDATE;
	IF s.licensed_users < s.seats THEN
		PERFORM por_partner_internal.move_license_count(NEW.subscription_id, 1);
	ELSE
		RAISE EXCEPTION 'subscription % has no free seat', NEW.subscription_id
			USING ERRCODE = 'check_violation',
			      DETAIL = format('All %s seats are licensed; a subscription never has more licensed users than seats (rule C5).', s.seats),
			      HINT = 'Add seats with por_partner.add_licenses(), or remove a license first.';
	END IF;
	RETURN NULL;
END $$;

COMMENT ON FUNCTION por_partner_internal.license_count() IS
	'Trigger: counts licenses on subscription.licensed_users and refuses one over the seats (rule C5).';

-- Key cards: bought only by resellers (rule K2); a Small Business card
-- carries one license (rule K4); redeemed at most once (rule K6), on a
-- subscription of the card's SKU (rule K3), and only an authorized
-- subscription advisor activates a subscription with keys (rule A6).
CREATE OR REPLACE FUNCTION por_partner_internal.key_card_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	p record;
	per_key int;
	least_per_card int;
	sub_sku text;
BEGIN
	-- a redeemed card is history: it never changes and is never deleted (K6)
	IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.redeemed_at IS NOT NULL THEN
		RAISE EXCEPTION 'product key % was already redeemed', OLD.product_key
			USING ERRCODE = 'unique_violation',
			      DETAIL = format('It was redeemed on %s to %s subscription %s; a key is redeemed at most once (rule K6), and its card is kept.',
			                      to_char(OLD.redeemed_at, 'YYYY-MM-DD'),
			                      replace(OLD.redeemed_as, '_', ' '), OLD.subscription_id),
			      HINT = 'Use a key that has not been redeemed.';
	END IF;
	IF TG_OP = 'DELETE' THEN
		RETURN OLD;
	END IF;

	SELECT * INTO p FROM @extschema@.partner WHERE partner_id = NEW.partner_id;
	IF TG_OP = 'INSERT' OR (NEW.partner_id, NEW.sku_code, NEW.licenses)
	                       IS DISTINCT FROM (OLD.partner_id, OLD.sku_code, OLD.licenses) THEN
		IF p.partner_id IS NOT NULL AND NOT p.reseller THEN
			RAISE EXCEPTION 'partner "%" (MPN ID %) may not buy key cards', p.name, p.mpn_id
				USING ERRCODE = 'check_violation',
				      DETAIL = 'Only partners with a reseller relationship with an authorized distributor buy product keys (rule K2).',
				      HINT = 'Set por_partner.partner.reseller once the partner has that relationship.';
		END IF;
		SELECT s.licenses_per_key, s.min_licenses_per_key INTO per_key, least_per_card
		  FROM @extschema@.sku s WHERE s.sku_code = NEW.sku_code;
		IF per_key IS NOT NULL AND NEW.licenses <> per_key THEN
			RAISE EXCEPTION 'key cards of % carry % license each, not %', NEW.sku_code, per_key, NEW.licenses
				USING ERRCODE = 'check_violation',
				      DETAIL = 'Each key of this product is one license for one user (rule K4).',
				      HINT = format('Set licenses to %s, and buy one key for each user.', per_key);
		END IF;
		IF per_key IS NULL AND NEW.licenses < least_per_card THEN
			RAISE EXCEPTION 'key cards of % carry at least % licenses, not %', NEW.sku_code, least_per_card, NEW.licenses
				USING ERRCODE = 'check_violation',
				      DETAIL = 'One key of this product gives several licenses (rule K4).',
				      HINT = 'Set licenses to the count printed on the card.';
		END IF;
	END IF;

	IF NEW.redeemed_at IS NOT NULL AND (TG_OP = 'INSERT' OR OLD.redeemed_at IS NULL) THEN
		SELECT s.sku_code INTO sub_sku FROM @extschema@.subscription s
		 WHERE s.subscription_id = NEW.subscription_id;
		IF FOUND AND sub_sku <> NEW.sku_code THEN
			RAISE EXCEPTION 'product key % is for %, but subscription % is %', NEW.product_key,
					NEW.sku_code, NEW.subscription_id, sub_sku
				USING ERRCODE = 'check_violation',
				      DETAIL = 'A key activates, adds users to or renews a subscription of its own product (rule K3).',
				      HINT = format('Use %s keys.', sub_sku);
		END IF;
		IF NEW.redeemed_as = 'activate' AND p.partner_id IS NOT NULL AND NOT p.subscription_advisor THEN
			RAISE EXCEPTION 'partner "%" (MPN ID %) is not an authorized subscription advisor', p.name, p.mpn_id
				USING ERRCODE = 'check_violation',
				      DETAIL = 'Only authorized subscription advisors set up customer subscriptions with product keys (rule A6).',
				      HINT = 'Set por_partner.partner.subscription_advisor once the partner is authorized.';
		END IF;
	END IF;
	RETURN NEW;
END $$;

COMMENT ON FUNCTION por_partner_internal.key_card_check() IS
	'Trigger: key cards are bought by resellers (K2), carry the SKU''s licenses (K4), are redeemed once and then kept unchanged (K6), on a subscription of their SKU (K3), and activate only for advisors (A6).';
