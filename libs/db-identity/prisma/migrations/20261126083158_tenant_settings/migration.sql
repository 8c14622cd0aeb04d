-- CreateTable
CREATE TABLE "settings" (
    "tn_id" INTEGER NOT NULL,
    "name" VARCHAR(100) NOT NULL,
    "value" JSONB NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "settings_pkey" PRIMARY KEY ("tn_id","name")
);
