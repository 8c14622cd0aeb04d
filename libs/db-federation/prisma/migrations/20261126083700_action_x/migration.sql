-- AlterTable
ALTER TABLE "actions" ADD COLUMN     "x" JSONB;
