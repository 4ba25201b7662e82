/* sql/80_partner_users/code.sql: company information (rule A1) and customer management (rules A2, A3) */

-- Company information is changed only through update_partner_contact (A1):
-- the function marks the partner it edits in a backend-local flag (see
-- src/contact_edit.c) that no client can set.
CREATE OR REPLACE FUNCTION por_partner_internal.contact_edit_begin(partner_id bigint) RETURNS void
AS 'MODULE_PATHNAME', 'por_partner_contact_edit_begin'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;

COMMENT ON FUNCTION por_partner_internal.contact_edit_begin(bigint) IS
	'Internal: marks the partner whose company information update_partner_contact() is changing (0: none); cleared at the end of the (sub)transaction.';

CREATE OR REPLACE FUNCTION por_partner_internal.contact_edit_partner() RETURNS bigint
AS 'MODULE_PATHNAME', 'por_partner_contact_edit_partner'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;

COMMENT ON FUNCTION por_partner_internal.contact_edit_partner() IS
	'Internal: the partner whose company information update_partner_contact() is changing in this backend, or 0.';

CREATE OR REPLACE FUNCTION por_partner_internal.partner_contact_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, @extschema@, pg_temp AS $$
BEGIN
	IF (NEW.email, NEW.phone, NEW.address) IS DISTINCT FROM (OLD.email, OLD.phone, OLD.address)
	   AND por_partner_internal.contact_edit_partner() <> NEW.partner_id THEN
		RAISE EXCEPTION 'the company information of partner % is changed by its global admins', NEW.mpn_id
			USING ERRCODE = 'insufficient_privilege',
			      DETAIL = 'Phone, e-mail and address are shown to customers; a partner user with the global_admin role edits them (rule A1).',
			      HINT = 'Use por_partner.update_partner_contact().';
	END IF;
	RETURN NEW;
END $$;

COMMENT ON FUNCTION por_partner_internal.partner_contact_check() IS
	'Trigger: a partner''s phone, e-mail and address change only through update_partner_contact() (rule A1).';

CREATE OR REPLACE FUNCTION @extschema@.update_partner_contact(partner_user_id bigint, email text, phone text, address text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
#variable_conflict use_column
DECLARE
	u record;
BEGIN
	IF num_nulls(update_partner_contact.partner_user_id) > 0 THEN
		PERFORM por_partner_internal.require_arg(update_partner_contact.partner_user_id, 'partner_user_id');
	END IF;
	PERFORM por_partner_internal.require_partner_user_access(update_partner_contact.partner_user_id);
	SELECT * INTO u FROM @extschema@.partner_user pu WHERE pu.partner_user_id = update_partner_contact.partner_user_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'partner user % does not exist', update_partner_contact.partner_user_id
			USING ERRCODE = 'foreign_key_violation';
	END IF;
	IF u.company_role IS DISTINCT FROM 'global_admin' THEN
		RAISE EXCEPTION 'partner user % (%) may not change the company information', u.partner_user_id, u.email
			USING ERRCODE = 'insufficient_privilege',
			      DETAIL = 'Only the partner''s global admins edit its phone, e-mail and address (rule A1).',
			      HINT = 'Ask a global admin of your company.';
	END IF;
	PERFORM por_partner_internal.require_email(update_partner_contact.email, 'email'),
	        por_partner_internal.require_length(update_partner_contact.phone, 'phone', 'phone'),
	        por_partner_internal.require_length(update_partner_contact.address, 'address', 'address');
	PERFORM por_partner_internal.contact_edit_begin(u.partner_id);
	UPDATE @extschema@.partner p
	   SET email = update_partner_contact.email, phone = update_partner_contact.phone,
	       address = update_partner_contact.address
	 WHERE p.partner_id = u.partner_id;
	PERFORM por_partner_internal.contact_edit_begin(0);
END $$;

COMMENT ON FUNCTION @extschema@.update_partner_contact(bigint, text, text, text) IS
	'A partner user with the global_admin role sets the company''s e-mail, phone and address (rule A1).';

CREATE OR REPLACE FUNCTION @extschema@.partner_customer_count(partner_id bigint) RETURNS bigint
LANGUAGE plpgsql STABLE STRICT SECURITY DEFINER PARALLEL SAFE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
BEGIN
	PERFORM por_partner_internal.require_acting_partner($1);
	RETURN (SELECT count(DISTINCT b) FROM por_partner_internal.partner_book($1) AS b);
END $$;

COMMENT ON FUNCTION @extschema@.partner_customer_count(bigint) IS
	'The number of a partner''s customers: tenants it created, administers as delegated admin or is partner of record for.';

-- Rule A3 in one place: managing customers is open to partners authorized
-- to offer delegated admin (Cloud Essentials, rules D3, P3) and to
-- authorized service providers.  A predicate on a partner row, inlined.
CREATE OR REPLACE FUNCTION por_partner_internal.partner_manages_customers(p @extschema@.partner) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT @extschema@.partner_benefits_active(p) OR p.service_provider $$;

COMMENT ON FUNCTION por_partner_internal.partner_manages_customers(@extschema@.partner) IS
	'Internal: true when the partner may manage customers, as a Cloud Essentials partner or an authorized service provider (rule A3).';

CREATE OR REPLACE FUNCTION @extschema@.customer_management_view(partner_id bigint) RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	p @extschema@.partner;
BEGIN
	IF num_nulls(customer_management_view.partner_id) > 0 THEN
		PERFORM por_partner_internal.require_arg(customer_management_view.partner_id, 'partner_id');
	END IF;
	PERFORM por_partner_internal.require_acting_partner(customer_management_view.partner_id);
	SELECT * INTO p FROM @extschema@.partner pa WHERE pa.partner_id = customer_management_view.partner_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'partner % does not exist', customer_management_view.partner_id
			USING ERRCODE = 'foreign_key_violation';
	END IF;
	IF NOT por_partner_internal.partner_manages_customers(p) THEN
		RAISE EXCEPTION 'partner "%" (MPN ID %) may not manage customers', p.name, p.mpn_id
			USING ERRCODE = 'insufficient_privilege',
			      DETAIL = 'Managing customers is open to partners authorized to offer delegated admin and to authorized service providers (rule A3).';
	END IF;
	RETURN CASE WHEN @extschema@.partner_customer_count(p.partner_id) < 100
	            THEN 'manage_customers' ELSE 'find_and_help_customers' END;
END $$;

COMMENT ON FUNCTION @extschema@.customer_management_view(bigint) IS
	'The customer management page a partner uses (rule A3): manage_customers below 100 customers, find_and_help_customers from 100; an error (42501) for a partner allowed neither.';

CREATE OR REPLACE FUNCTION @extschema@.partner_can(partner_user_id bigint, tenant_id bigint, action text) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	found_user boolean;
	allowed boolean;
BEGIN
	IF num_nulls(partner_user_id, tenant_id, action) > 0 THEN
		PERFORM por_partner_internal.require_arg(partner_user_id, 'partner_user_id'),
		        por_partner_internal.require_arg(tenant_id, 'tenant_id'),
		        por_partner_internal.require_arg(action, 'action');
	END IF;
	IF action NOT IN ('reset_password', 'manage_users', 'manage_licenses', 'manage_subscriptions',
	                  'manage_domains', 'service_requests') THEN
		-- a known action is short: only an unknown one can be too long
		PERFORM por_partner_internal.require_length(action, 'action', 'action');
		RAISE EXCEPTION 'unknown action "%"', left(action, 100)
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'Actions: reset_password, manage_users, manage_licenses, manage_subscriptions, manage_domains, service_requests.';
	END IF;
	PERFORM por_partner_internal.require_partner_user_access(partner_user_id);
	SELECT true,
	       EXISTS (SELECT 1 FROM por_partner_internal.partner_administered(u.partner_id) AS a (tenant_id)
	                WHERE a.tenant_id = partner_can.tenant_id)
	       AND por_partner_internal.partner_manages_customers(p)
	       AND (u.customer_access = 'full' OR (u.customer_access = 'limited' AND action = 'reset_password'))
	  INTO found_user, allowed
	  FROM @extschema@.partner_user u
	  JOIN @extschema@.partner p ON p.partner_id = u.partner_id
	 WHERE u.partner_user_id = partner_can.partner_user_id;
	IF found_user IS NULL THEN
		RAISE EXCEPTION 'partner user % does not exist', partner_user_id
			USING ERRCODE = 'foreign_key_violation';
	END IF;
	RETURN allowed;
END $$;

COMMENT ON FUNCTION @extschema@.partner_can(bigint, bigint, text) IS
	'True when the partner user may do the action in the customer''s tenant: its partner is the tenant''s delegated admin (D1, D2) and may manage customers (A3), and the user''s access covers the action: limited covers reset_password alone, full covers every action (A2, D6).';

/*
 * Partner users are made, changed and removed through these functions only
 * (a partner's login has no write privilege on partner_user), each by an
 * acting user of the same partner: a global admin or a user admin manages the
 * company's users (rule A2), and only a global admin grants, changes or takes
 * away the global_admin role, which edits the company information (rule A1);
 * the partner's last global admin stays one.  Operators may act with any
 * user.  Every change is in the audit trail.
 */
CREATE OR REPLACE FUNCTION por_partner_internal.require_user_manager(acting_partner_user_id bigint, touches_global_admin boolean)
RETURNS @extschema@.partner_user
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	a @extschema@.partner_user;
BEGIN
	PERFORM por_partner_internal.require_partner_user_access(acting_partner_user_id);
	SELECT * INTO a FROM @extschema@.partner_user u WHERE u.partner_user_id = acting_partner_user_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'partner user % does not exist', acting_partner_user_id
			USING ERRCODE = 'foreign_key_violation';
	END IF;
	IF a.company_role IS DISTINCT FROM 'global_admin'
	   AND (touches_global_admin OR a.company_role IS DISTINCT FROM 'user_admin') THEN
		RAISE EXCEPTION 'partner user % may not %', a.partner_user_id,
				CASE WHEN touches_global_admin THEN 'grant, change or take away the global_admin role'
				     ELSE 'manage the company''s users' END
			USING ERRCODE = 'insufficient_privilege',
			      DETAIL = CASE WHEN touches_global_admin
			                    THEN 'Only a global admin of the partner makes or unmakes global admins (rules A1, A2).'
			                    ELSE 'Global admins and user admins of the partner manage its users (rule A2).' END,
			      HINT = 'Act as a global admin of your company.';
	END IF;
	RETURN a;
END $$;

COMMENT ON FUNCTION por_partner_internal.require_user_manager(bigint, boolean) IS
	'Internal: the acting partner user, when it may manage its partner''s users (global or user admin; global admin alone where the global_admin role is touched); 42501 otherwise (rules A1, A2).';

CREATE OR REPLACE FUNCTION por_partner_internal.require_partner_user_values(email text, display_name text,
	company_role text, customer_access text) RETURNS void
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
BEGIN
	PERFORM por_partner_internal.require_email(email, 'email'),
	        por_partner_internal.require_length(display_name, 'display_name', 'display_name'),
	        por_partner_internal.require_length(company_role, 'company_role', 'role'),
	        por_partner_internal.require_length(customer_access, 'customer_access', 'role');
	IF company_role NOT IN ('global_admin', 'billing_admin', 'user_admin', 'password_admin', 'service_admin') THEN
		RAISE EXCEPTION 'unknown company role "%"', company_role
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'Roles: global_admin, billing_admin, user_admin, password_admin, service_admin, or NULL for none.';
	END IF;
	IF customer_access NOT IN ('none', 'full', 'limited') THEN
		RAISE EXCEPTION 'unknown customer access "%"', customer_access
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'Access levels: none, full (Global admin in each customer), limited (Password admin).';
	END IF;
END $$;

COMMENT ON FUNCTION por_partner_internal.require_partner_user_values(text, text, text, text) IS
	'Internal: 22001/22023 for a partner user''s e-mail, display name, company role or customer access that is too long, malformed or unknown.';

CREATE OR REPLACE FUNCTION @extschema@.create_partner_user(acting_partner_user_id bigint, email text,
	display_name text DEFAULT NULL, company_role text DEFAULT NULL, customer_access text DEFAULT 'none')
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
#variable_conflict use_column
DECLARE
	a @extschema@.partner_user;
	new_user bigint;
BEGIN
	IF num_nulls(create_partner_user.acting_partner_user_id, create_partner_user.email,
	             create_partner_user.customer_access) > 0 THEN
		PERFORM por_partner_internal.require_arg(create_partner_user.acting_partner_user_id, 'acting_partner_user_id'),
		        por_partner_internal.require_arg(create_partner_user.email, 'email'),
		        por_partner_internal.require_arg(create_partner_user.customer_access, 'customer_access');
	END IF;
	PERFORM por_partner_internal.require_partner_user_values(create_partner_user.email, create_partner_user.display_name,
	                                                          create_partner_user.company_role, create_partner_user.customer_access);
	a := por_partner_internal.require_user_manager(create_partner_user.acting_partner_user_id,
	                                               create_partner_user.company_role IS NOT DISTINCT FROM 'global_admin');
	INSERT INTO @extschema@.partner_user AS u (partner_id, email, display_name, company_role, customer_access)
	VALUES (a.partner_id, create_partner_user.email, create_partner_user.display_name,
	        create_partner_user.company_role, create_partner_user.customer_access)
	RETURNING u.partner_user_id INTO new_user;
	RETURN new_user;
EXCEPTION WHEN unique_violation THEN
	RAISE EXCEPTION 'partner % has a user with e-mail address "%" already', a.partner_id, create_partner_user.email
		USING ERRCODE = 'unique_violation',
		      DETAIL = 'An e-mail address names one user of a partner, whatever its case.',
		      HINT = 'Change that user with por_partner.update_partner_user().';
END $$;

COMMENT ON FUNCTION @extschema@.create_partner_user(bigint, text, text, text, text) IS
	'An acting partner user (a global or user admin) adds a user to its own company: e-mail, display name, company role, access to customers (rule A2); only a global admin makes a global admin (rule A1).  Returns the partner_user_id.';

-- The user an acting user changes or removes, locked: a user of the caller's
-- partner (one answer otherwise), of the acting user's own partner, and one
-- the acting user may manage (require_user_manager: global_admin is touched
-- when the change makes or unmakes one); the last global admin stays.
-- new_role: the role it gets; removing: it goes.
CREATE OR REPLACE FUNCTION por_partner_internal.lock_managed_user(acting_partner_user_id bigint, partner_user_id bigint,
	new_role text, removing boolean) RETURNS @extschema@.partner_user
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
#variable_conflict use_column
DECLARE
	a @extschema@.partner_user;
	t @extschema@.partner_user;
BEGIN
	PERFORM por_partner_internal.require_partner_user_access(lock_managed_user.partner_user_id);
	SELECT * INTO t FROM @extschema@.partner_user u WHERE u.partner_user_id = lock_managed_user.partner_user_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'partner user % does not exist', lock_managed_user.partner_user_id
			USING ERRCODE = 'foreign_key_violation';
	END IF;
	a := por_partner_internal.require_user_manager(lock_managed_user.acting_partner_user_id,
	         CASE WHEN removing THEN t.company_role IS NOT DISTINCT FROM 'global_admin'
	              ELSE (t.company_role IS NOT DISTINCT FROM 'global_admin') <> (new_role IS NOT DISTINCT FROM 'global_admin') END);
	IF a.partner_id <> t.partner_id THEN
		RAISE EXCEPTION 'partner user % is not a user of partner %', t.partner_user_id, a.partner_id
			USING ERRCODE = 'insufficient_privilege',
			      DETAIL = 'A partner user manages the users of its own partner only.';
	END IF;
	PERFORM por_partner_internal.keep_a_global_admin(t, CASE WHEN removing THEN NULL ELSE new_role END);
	RETURN t;
END $$;

COMMENT ON FUNCTION por_partner_internal.lock_managed_user(bigint, bigint, text, boolean) IS
	'Internal: the partner user an acting user changes (to new_role) or removes, locked, once the acting user may (rules A1, A2).';

CREATE OR REPLACE FUNCTION @extschema@.update_partner_user(acting_partner_user_id bigint, partner_user_id bigint,
	display_name text, company_role text, customer_access text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
#variable_conflict use_column
DECLARE
	t @extschema@.partner_user;
BEGIN
	IF num_nulls(update_partner_user.acting_partner_user_id, update_partner_user.partner_user_id,
	             update_partner_user.customer_access) > 0 THEN
		PERFORM por_partner_internal.require_arg(update_partner_user.acting_partner_user_id, 'acting_partner_user_id'),
		        por_partner_internal.require_arg(update_partner_user.partner_user_id, 'partner_user_id'),
		        por_partner_internal.require_arg(update_partner_user.customer_access, 'customer_access');
	END IF;
	PERFORM por_partner_internal.require_partner_user_values(NULL, update_partner_user.display_name,
	                                                          update_partner_user.company_role, update_partner_user.customer_access);
	t := por_partner_internal.lock_managed_user(update_partner_user.acting_partner_user_id,
	                                            update_partner_user.partner_user_id, update_partner_user.company_role, false);
	UPDATE @extschema@.partner_user u
	   SET display_name = update_partner_user.display_name, company_role = update_partner_user.company_role,
	       customer_access = update_partner_user.customer_access
	 WHERE u.partner_user_id = t.partner_user_id;
END $$;

COMMENT ON FUNCTION @extschema@.update_partner_user(bigint, bigint, text, text, text) IS
	'An acting partner user (a global or user admin) changes a user of its own company: display name, company role, access to customers (rule A2); only a global admin makes or unmakes a global admin, and the last one stays (rule A1).';

CREATE OR REPLACE FUNCTION @extschema@.remove_partner_user(acting_partner_user_id bigint, partner_user_id bigint)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
#variable_conflict use_column
DECLARE
	t @extschema@.partner_user;
BEGIN
	IF num_nulls(remove_partner_user.acting_partner_user_id, remove_partner_user.partner_user_id) > 0 THEN
		PERFORM por_partner_internal.require_arg(remove_partner_user.acting_partner_user_id, 'acting_partner_user_id'),
		        por_partner_internal.require_arg(remove_partner_user.partner_user_id, 'partner_user_id');
	END IF;
	t := por_partner_internal.lock_managed_user(remove_partner_user.acting_partner_user_id,
	                                            remove_partner_user.partner_user_id, NULL, true);
	DELETE FROM @extschema@.partner_user u WHERE u.partner_user_id = t.partner_user_id;
END $$;

COMMENT ON FUNCTION @extschema@.remove_partner_user(bigint, bigint) IS
	'An acting partner user (a global or user admin) removes a user of its own company; only a global admin removes a global admin, and not the last one (rules A1, A2).';

-- A partner keeps at least one global admin, who edits its company
-- information (rule A1): refuse to demote or remove the last one.
CREATE OR REPLACE FUNCTION por_partner_internal.keep_a_global_admin(t @extschema@.partner_user, new_role text)
RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
BEGIN
	IF t.company_role = 'global_admin' AND new_role IS DISTINCT FROM 'global_admin'
	   AND NOT EXISTS (SELECT 1 FROM @extschema@.partner_user u
	                    WHERE u.partner_id = t.partner_id AND u.company_role = 'global_admin'
	                      AND u.partner_user_id <> t.partner_user_id) THEN
		RAISE EXCEPTION 'partner user % is the last global admin of partner %', t.partner_user_id, t.partner_id
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      DETAIL = 'A partner keeps a global admin, who edits its company information (rule A1).',
			      HINT = 'Make another user a global admin first.';
	END IF;
END $$;

COMMENT ON FUNCTION por_partner_internal.keep_a_global_admin(@extschema@.partner_user, text) IS
	'Internal: raises 55000 when a change would leave the partner without a global admin (rule A1).';
