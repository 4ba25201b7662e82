/* sql/50_delegated_admin/code.sql: offering, answering and removing delegated administration (rules D1-D6) */

-- An offer comes only from a Cloud Essentials partner (rule D3) and is
-- answered once (rule D2).
CREATE OR REPLACE FUNCTION por_partner_internal.delegated_admin_offer_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	p @extschema@.partner;
BEGIN
	IF TG_OP = 'INSERT' THEN
		SELECT * INTO p FROM @extschema@.partner WHERE partner_id = NEW.partner_id;
		IF FOUND AND NOT @extschema@.partner_benefits_active(p) THEN
			RAISE EXCEPTION 'partner "%" (MPN ID %) may not offer delegated administration', p.name, p.mpn_id
				USING ERRCODE = 'check_violation',
				      DETAIL = 'Only partners enrolled in Cloud Essentials send delegated admin offers (rule D3).',
				      HINT = 'Enroll the partner in Cloud Essentials first.';
		END IF;
		IF EXISTS (SELECT 1 FROM @extschema@.delegated_admin d
		            WHERE d.partner_id = NEW.partner_id AND d.tenant_id = NEW.tenant_id) THEN
			RAISE EXCEPTION 'partner "%" (MPN ID %) is already delegated admin of tenant %', p.name, p.mpn_id, NEW.tenant_id
				USING ERRCODE = 'object_not_in_prerequisite_state',
				      DETAIL = 'The customer accepted an earlier offer of this partner, and the relationship stands.',
				      HINT = 'No new offer is needed; is_delegated_admin() tells whether a partner is delegated admin.';
		END IF;
		IF NEW.status <> 'pending' THEN
			RAISE EXCEPTION 'a delegated admin offer starts pending'
				USING ERRCODE = 'check_violation',
				      DETAIL = 'The customer accepts or declines an offer after it is sent (rule D2).';
		END IF;
		IF EXISTS (SELECT 1 FROM @extschema@.delegated_admin_offer o
		            WHERE o.partner_id = NEW.partner_id AND o.tenant_id = NEW.tenant_id AND o.status = 'pending') THEN
			RAISE EXCEPTION 'partner "%" (MPN ID %) has a pending delegated admin offer to tenant % already', p.name, p.mpn_id, NEW.tenant_id
				USING ERRCODE = 'unique_violation',
				      DETAIL = 'A partner has at most one pending offer to a customer; it waits for the customer''s answer (rule D2).',
				      HINT = 'Wait for the answer to the offer already sent.';
		END IF;
		RETURN NEW;
	END IF;
	IF (NEW.partner_id, NEW.tenant_id, NEW.offered_at) IS DISTINCT FROM (OLD.partner_id, OLD.tenant_id, OLD.offered_at)
	   OR NEW.message IS DISTINCT FROM OLD.message THEN
		RAISE EXCEPTION 'delegated admin offer % cannot be changed', OLD.offer_id
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      HINT = 'Send a new offer instead.';
	END IF;
	IF NEW.status IS DISTINCT FROM OLD.status AND OLD.status <> 'pending'
	   AND NOT (OLD.status = 'accepted' AND NEW.status = 'removed') THEN
		RAISE EXCEPTION 'delegated admin offer % was already %', OLD.offer_id, OLD.status
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      DETAIL = 'An offer is answered once (rule D2).',
			      HINT = 'The partner can send a new offer.';
	END IF;
	RETURN NEW;
END $$;

COMMENT ON FUNCTION por_partner_internal.delegated_admin_offer_check() IS
	'Trigger: offers come from Cloud Essentials partners (D3), start pending and are answered once (D2).';

-- A relationship exists only from an accepted offer (rule D2).
CREATE OR REPLACE FUNCTION por_partner_internal.delegated_admin_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, @extschema@, pg_temp AS $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM @extschema@.delegated_admin_offer o
	                WHERE o.offer_id = NEW.offer_id AND o.status = 'accepted') THEN
		RAISE EXCEPTION 'partner % is not delegated admin of tenant % without an accepted offer',
				NEW.partner_id, NEW.tenant_id
			USING ERRCODE = 'check_violation',
			      DETAIL = 'The customer must accept the partner''s offer first; a pending or declined offer grants nothing (rule D2).',
			      HINT = 'Use por_partner.accept_delegated_admin_offer().';
	END IF;
	RETURN NEW;
END $$;

COMMENT ON FUNCTION por_partner_internal.delegated_admin_check() IS
	'Trigger: a delegated admin relationship rests on an accepted offer (rule D2).';

CREATE OR REPLACE FUNCTION por_partner_internal.delegated_admin_removed() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, @extschema@, pg_temp AS $$
BEGIN
	UPDATE @extschema@.delegated_admin_offer SET status = 'removed'
	 WHERE offer_id = OLD.offer_id AND status = 'accepted';
	RETURN NULL;
END $$;

COMMENT ON FUNCTION por_partner_internal.delegated_admin_removed() IS
	'Trigger: when a customer removes a delegated admin, the accepted offer behind it is marked removed, so that it cannot grant the rights again (rule D2).';

-- Leaving Cloud Essentials withdraws the partner's pending offers (rule D3);
-- accepted relationships stay, since the customer granted them, but a
-- partner allowed neither delegated admin nor service provision cannot act
-- on them (partner_can, rule A3).  Losing subscription advisor status keeps
-- existing partner-of-record links.
CREATE OR REPLACE FUNCTION por_partner_internal.partner_flags_changed() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, @extschema@, pg_temp AS $$
BEGIN
	IF @extschema@.partner_benefits_active(OLD) AND NOT @extschema@.partner_benefits_active(NEW) THEN
		UPDATE @extschema@.delegated_admin_offer
		   SET status = 'withdrawn', answered_at = now()
		 WHERE partner_id = NEW.partner_id AND status = 'pending';
	END IF;
	RETURN NULL;
END $$;

COMMENT ON FUNCTION por_partner_internal.partner_flags_changed() IS
	'Trigger: a partner that leaves Cloud Essentials has its pending delegated admin offers withdrawn (rule D3).';

CREATE OR REPLACE FUNCTION @extschema@.offer_delegated_admin(partner_id bigint, tenant_id bigint, message text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	new_offer bigint;
BEGIN
	IF num_nulls(offer_delegated_admin.partner_id, offer_delegated_admin.tenant_id) > 0 THEN
		PERFORM por_partner_internal.require_arg(offer_delegated_admin.partner_id, 'partner_id'),
		        por_partner_internal.require_arg(offer_delegated_admin.tenant_id, 'tenant_id');
	END IF;
	PERFORM por_partner_internal.require_acting_partner(offer_delegated_admin.partner_id);
	PERFORM por_partner_internal.require_tenant_access(offer_delegated_admin.tenant_id);
	PERFORM por_partner_internal.require_length(offer_delegated_admin.message, 'message', 'message');
	INSERT INTO @extschema@.delegated_admin_offer (partner_id, tenant_id, message)
	VALUES (offer_delegated_admin.partner_id, offer_delegated_admin.tenant_id, offer_delegated_admin.message)
	RETURNING offer_id INTO new_offer;
	RETURN new_offer;
END $$;

COMMENT ON FUNCTION @extschema@.offer_delegated_admin(bigint, bigint, text) IS
	'Sends a delegated admin offer, with a message, from a Cloud Essentials partner to a customer (rules D2, D3).  Returns the offer_id.';

-- Answer a pending offer; the row lock makes two answers at once end with one.
CREATE OR REPLACE FUNCTION por_partner_internal.answer_delegated_admin_offer(offer_id bigint, accept boolean)
RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
#variable_conflict use_column
DECLARE
	o record;
BEGIN
	IF num_nulls(answer_delegated_admin_offer.offer_id, answer_delegated_admin_offer.accept) > 0 THEN
		PERFORM por_partner_internal.require_arg(answer_delegated_admin_offer.offer_id, 'offer_id'),
		        por_partner_internal.require_arg(answer_delegated_admin_offer.accept, 'accept');
	END IF;
	SELECT * INTO o FROM @extschema@.delegated_admin_offer d
	 WHERE d.offer_id = answer_delegated_admin_offer.offer_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'delegated admin offer % does not exist', answer_delegated_admin_offer.offer_id
			USING ERRCODE = 'foreign_key_violation';
	END IF;
	-- answered once (rule D2); the offer's trigger refuses a change of an
	-- answered offer's status, but answering again with the same answer
	-- changes nothing it could see, so the call checks itself
	IF o.status <> 'pending' THEN
		RAISE EXCEPTION 'delegated admin offer % was already %', o.offer_id, o.status
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      DETAIL = 'An offer is answered once (rule D2).',
			      HINT = 'The partner can send a new offer.';
	END IF;
	UPDATE @extschema@.delegated_admin_offer d
	   SET status = CASE WHEN accept THEN 'accepted' ELSE 'declined' END, answered_at = now()
	 WHERE d.offer_id = o.offer_id;
	IF accept AND @extschema@.is_delegated_admin(o.partner_id, o.tenant_id) THEN
		RAISE EXCEPTION 'partner % is already delegated admin of tenant %', o.partner_id, o.tenant_id
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      HINT = 'Decline this offer; the relationship stands.';
	END IF;
	IF accept THEN
		INSERT INTO @extschema@.delegated_admin (partner_id, tenant_id, offer_id)
		VALUES (o.partner_id, o.tenant_id, o.offer_id);
	END IF;
END $$;

COMMENT ON FUNCTION por_partner_internal.answer_delegated_admin_offer(bigint, boolean) IS
	'Internal: accepts or declines a pending delegated admin offer, once (rule D2).';

CREATE OR REPLACE FUNCTION @extschema@.accept_delegated_admin_offer(offer_id bigint) RETURNS void
LANGUAGE sql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp
AS $$ SELECT por_partner_internal.answer_delegated_admin_offer(offer_id, true) $$;

COMMENT ON FUNCTION @extschema@.accept_delegated_admin_offer(bigint) IS
	'The customer accepts a pending offer: the partner becomes its delegated admin, with admin rights and no license (rules D2, D4).';

CREATE OR REPLACE FUNCTION @extschema@.decline_delegated_admin_offer(offer_id bigint) RETURNS void
LANGUAGE sql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp
AS $$ SELECT por_partner_internal.answer_delegated_admin_offer(offer_id, false) $$;

COMMENT ON FUNCTION @extschema@.decline_delegated_admin_offer(bigint) IS
	'The customer declines a pending offer; it grants nothing (rule D2).';

-- Operators ask about any partner; a partner's login about its own partner
-- only: false for another's, the answer of a relationship that does not exist.
CREATE OR REPLACE FUNCTION @extschema@.is_delegated_admin(partner_id bigint, tenant_id bigint) RETURNS boolean
LANGUAGE sql STABLE STRICT PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	SELECT EXISTS (SELECT 1 FROM @extschema@.delegated_admin d
	                WHERE d.partner_id = $1 AND d.tenant_id = $2
	                  AND (@extschema@.caller_is_operator() OR d.partner_id = @extschema@.caller_partner_id()))
$$;

COMMENT ON FUNCTION @extschema@.is_delegated_admin(bigint, bigint) IS
	'True when the partner is the tenant''s delegated admin through an accepted offer (rules D1, D2); a partner''s login asks about its own partner only (false for another).';

CREATE OR REPLACE FUNCTION @extschema@.remove_delegated_admin(partner_id bigint, tenant_id bigint) RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
#variable_conflict use_column
BEGIN
	IF num_nulls(remove_delegated_admin.partner_id, remove_delegated_admin.tenant_id) > 0 THEN
		PERFORM por_partner_internal.require_arg(remove_delegated_admin.partner_id, 'partner_id'),
		        por_partner_internal.require_arg(remove_delegated_admin.tenant_id, 'tenant_id');
	END IF;
	IF NOT EXISTS (SELECT 1 FROM @extschema@.partner p WHERE p.partner_id = remove_delegated_admin.partner_id) THEN
		RAISE EXCEPTION 'partner % does not exist', remove_delegated_admin.partner_id
			USING ERRCODE = 'foreign_key_violation';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM @extschema@.tenant t WHERE t.tenant_id = remove_delegated_admin.tenant_id) THEN
		RAISE EXCEPTION 'tenant % does not exist', remove_delegated_admin.tenant_id
			USING ERRCODE = 'foreign_key_violation';
	END IF;
	DELETE FROM @extschema@.delegated_admin d
	 WHERE d.partner_id = remove_delegated_admin.partner_id AND d.tenant_id = remove_delegated_admin.tenant_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'partner % is not delegated admin of tenant %', remove_delegated_admin.partner_id,
				remove_delegated_admin.tenant_id
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      DETAIL = 'The tenant never accepted a delegated admin offer of the partner, or removed the relationship already.',
			      HINT = 'is_delegated_admin() tells whether a partner is delegated admin.';
	END IF;
END $$;

COMMENT ON FUNCTION @extschema@.remove_delegated_admin(bigint, bigint) IS
	'The customer withdraws a partner''s delegated admin rights.';
