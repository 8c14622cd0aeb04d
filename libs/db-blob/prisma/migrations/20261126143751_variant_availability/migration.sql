-- AlterTable
ALTER TABLE "file_variants" ADD COLUMN     "available" BOOLEAN NOT NULL DEFAULT true;
