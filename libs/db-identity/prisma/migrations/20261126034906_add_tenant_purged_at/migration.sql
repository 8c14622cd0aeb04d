-- AlterTable
ALTER TABLE "tenants" ADD COLUMN     "purged_at" TIMESTAMPTZ(3);
