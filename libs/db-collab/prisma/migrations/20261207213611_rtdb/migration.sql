-- CreateTable
CREATE TABLE "rtdb_docs" (
    "tn_id" INTEGER NOT NULL,
    "db_id" VARCHAR(64) NOT NULL,
    "path" VARCHAR(1024) NOT NULL,
    "coll" VARCHAR(1024) NOT NULL,
    "data" JSONB NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "rtdb_docs_pkey" PRIMARY KEY ("tn_id","db_id","path")
);

-- CreateTable
CREATE TABLE "rtdb_locks" (
    "tn_id" INTEGER NOT NULL,
    "db_id" VARCHAR(64) NOT NULL,
    "path" VARCHAR(1024) NOT NULL,
    "user_id" VARCHAR(256) NOT NULL,
    "conn_id" VARCHAR(64) NOT NULL,
    "mode" VARCHAR(8) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "rtdb_locks_pkey" PRIMARY KEY ("tn_id","db_id","path")
);

-- CreateIndex
CREATE INDEX "rtdb_docs_tn_id_db_id_coll_idx" ON "rtdb_docs"("tn_id", "db_id", "coll");

-- CreateIndex
CREATE INDEX "rtdb_docs_data_idx" ON "rtdb_docs" USING GIN ("data" jsonb_path_ops);

-- CreateIndex
CREATE INDEX "rtdb_locks_conn_id_idx" ON "rtdb_locks"("conn_id");
