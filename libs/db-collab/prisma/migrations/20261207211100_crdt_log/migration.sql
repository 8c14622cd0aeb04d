-- CreateTable
CREATE TABLE "crdt_updates" (
    "seq" BIGSERIAL NOT NULL,
    "tn_id" INTEGER NOT NULL,
    "doc_id" VARCHAR(256) NOT NULL,
    "update" BYTEA NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "crdt_updates_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "crdt_snapshots" (
    "tn_id" INTEGER NOT NULL,
    "doc_id" VARCHAR(256) NOT NULL,
    "state" BYTEA NOT NULL,
    "up_to_seq" BIGINT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "crdt_snapshots_pkey" PRIMARY KEY ("tn_id","doc_id")
);

-- CreateIndex
CREATE INDEX "crdt_updates_tn_id_doc_id_seq_idx" ON "crdt_updates"("tn_id", "doc_id", "seq");
