"""a narrow copy of each product for sale's words and facet columns on PostgreSQL, kept by a trigger

Revision ID: 0028ftsfacets
Revises: 0027vectorsinrow
Create Date: 2026-12-06 20:00:00

A search's count and facets (shop/catalog/services.py) test the products for sale one
by one until 1,001 match: for two common words at 100,000 products, ~6,000 rows. In
``product`` each of those rows is read up to its 30th column (the vector, the price
band and ``hidden_at`` come late, after the description), ~0.7 µs a row before the
words are even tested. ``product_fts_facets`` holds only what that read needs, the
facet columns first and the words last, without positions (``strip``: a count needs
none): 51 MB against 195 MB, and the same 1,001 matches in 2.8 ms instead of 6.0 ms.

It is PostgreSQL's counterpart of SQLite's ``product_fts``: products for sale only,
kept by the database itself (a trigger on every write of the columns it copies), so no
path that writes a product can leave it stale. Stock changes do not fire it. It is only
ever scanned, from its start (rare words are found through ``product``'s GIN index), so
it has no index of its own beyond its key.
"""

from alembic import op

revision = '0028ftsfacets'
down_revision = '0027vectorsinrow'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute(
        """
        CREATE TABLE product_fts_facets (
            product_id integer PRIMARY KEY REFERENCES product (id) ON DELETE CASCADE,
            category_id integer NOT NULL,
            facility_id integer NOT NULL,
            price integer NOT NULL,
            price_band smallint NOT NULL,
            words tsvector NOT NULL
        )
        """
    )
    op.execute('ALTER TABLE product_fts_facets ALTER COLUMN words SET STORAGE MAIN')
    op.execute(
        """
        CREATE FUNCTION product_fts_facets_keep() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.status = 'active' AND NEW.hidden_at IS NULL THEN
                INSERT INTO product_fts_facets
                VALUES (NEW.id, NEW.category_id, NEW.facility_id, NEW.price, NEW.price_band,
                        strip(NEW.search_vector))
                ON CONFLICT (product_id) DO UPDATE SET
                    category_id = EXCLUDED.category_id,
                    facility_id = EXCLUDED.facility_id,
                    price = EXCLUDED.price,
                    price_band = EXCLUDED.price_band,
                    words = EXCLUDED.words;
            ELSIF TG_OP = 'UPDATE' THEN
                DELETE FROM product_fts_facets WHERE product_id = NEW.id;
            END IF;
            RETURN NULL;
        END
        $$
        """
    )
    op.execute(
        'CREATE TRIGGER product_fts_facets_keep '
        'AFTER INSERT OR UPDATE OF status, hidden_at, category_id, facility_id, price, search_text '
        'ON product FOR EACH ROW EXECUTE FUNCTION product_fts_facets_keep()'
    )
    op.execute(
        'INSERT INTO product_fts_facets '
        'SELECT id, category_id, facility_id, price, price_band, strip(search_vector) '
        "FROM product WHERE status = 'active' AND hidden_at IS NULL ORDER BY id"
    )


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute('DROP TRIGGER product_fts_facets_keep ON product')
    op.execute('DROP FUNCTION product_fts_facets_keep()')
    op.execute('DROP TABLE product_fts_facets')
