-- CreateTable
CREATE TABLE "merged_uploads" (
    "tn_id" INTEGER NOT NULL,
    "f_id" BIGINT NOT NULL,
    "file_id" VARCHAR(48) NOT NULL,

    CONSTRAINT "merged_uploads_pkey" PRIMARY KEY ("tn_id","f_id")
);
