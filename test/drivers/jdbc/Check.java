/*
 * test/drivers/jdbc/Check.java: what test/shell/jdbc.sh asks pgJDBC, one
 * mode a run; prints tab-separated lines for the shell test to check.
 *
 *   Check trap URL KEY       product_key_mask(?) with the key bound four ways:
 *                            setString (the trap), setString with
 *                            stringtype=unspecified, setObject(Types.OTHER),
 *                            setString and a cast; "bind WAY SQLSTATE|ok VALUE"
 *   Check keys URL SQL [P]   the query's first column, read with getString,
 *                            P bound with setString; "key VALUE"
 *   Check list URL           DatabaseMetaData: getTables(null, null, "%", null),
 *                            getFunctions(null, null, "%"), and getColumns of
 *                            every relation listed outside PostgreSQL's own
 *                            schemas; "table SCHEMA NAME TYPE",
 *                            "function SCHEMA NAME SPECIFIC_NAME",
 *                            "column SCHEMA TABLE COLUMN REMARKS"
 */
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

public class Check {
	public static void main(String[] args) throws Exception {
		switch (args[0]) {
		case "trap" -> trap(args[1], args[2]);
		case "keys" -> keys(args[1], args[2], args.length > 3 ? args[3] : null);
		case "list" -> list(args[1]);
		default -> throw new IllegalArgumentException("unknown mode " + args[0]);
		}
	}

	static String with(String url, String param) {
		return url + (url.contains("?") ? "&" : "?") + param;
	}

	/* one way of binding the key: its outcome */
	static void bind(String way, String url, String sql, String key, boolean other) {
		try (Connection c = DriverManager.getConnection(url);
		     PreparedStatement ps = c.prepareStatement(sql)) {
			if (other)
				ps.setObject(1, key, Types.OTHER);
			else
				ps.setString(1, key);
			try (ResultSet rs = ps.executeQuery()) {
				rs.next();
				System.out.println("bind\t" + way + "\tok\t" + rs.getString(1));
			}
		} catch (SQLException e) {
			System.out.println("bind\t" + way + "\t" + e.getSQLState() + "\t" + e.getMessage().split("\n")[0]);
		}
	}

	static void trap(String url, String key) {
		String mask = "SELECT por_partner.product_key_mask(?)";
		bind("setString", url, mask, key, false);
		bind("stringtype=unspecified", with(url, "stringtype=unspecified"), mask, key, false);
		bind("Types.OTHER", url, mask, key, true);
		bind("cast", url, "SELECT por_partner.product_key_mask(?::por_partner.product_key)", key, false);
	}

	static void keys(String url, String sql, String param) throws SQLException {
		try (Connection c = DriverManager.getConnection(url);
		     PreparedStatement ps = c.prepareStatement(sql)) {
			if (param != null)
				ps.setString(1, param);
			try (ResultSet rs = ps.executeQuery()) {
				while (rs.next())
					System.out.println("key\t" + rs.getString(1));
			}
		}
	}

	static boolean system(String schema) {
		return schema.equals("pg_catalog") || schema.equals("information_schema");
	}

	static void list(String url) throws SQLException {
		try (Connection c = DriverManager.getConnection(url)) {
			DatabaseMetaData md = c.getMetaData();
			List<String[]> rels = new ArrayList<>();
			try (ResultSet rs = md.getTables(null, null, "%", null)) {
				while (rs.next()) {
					String[] t = {rs.getString("TABLE_SCHEM"), rs.getString("TABLE_NAME"), rs.getString("TABLE_TYPE")};
					System.out.println("table\t" + String.join("\t", t[0], t[1], String.valueOf(t[2])));
					if (!system(t[0]))
						rels.add(t);
				}
			}
			try (ResultSet rs = md.getFunctions(null, null, "%")) {
				while (rs.next())
					System.out.println("function\t" + rs.getString("FUNCTION_SCHEM") + "\t" + rs.getString("FUNCTION_NAME")
					                   + "\t" + rs.getString("SPECIFIC_NAME"));
			}
			for (String[] t : rels) {
				try (ResultSet rs = md.getColumns(null, t[0], t[1], "%")) {
					while (rs.next()) {
						String remarks = rs.getString("REMARKS");
						System.out.println("column\t" + t[0] + "\t" + t[1] + "\t" + rs.getString("COLUMN_NAME") + "\t"
						                   + (remarks == null ? "" : remarks.replace('\t', ' ').replace('\n', ' ')));
					}
				}
			}
		}
	}
}
